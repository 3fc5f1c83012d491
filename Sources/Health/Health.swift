public import Model

/// Health of applied objects, in the spirit of kstatus (cli-utils): a pure function of what the
/// API server returns for an object, with one reader per kind.
public enum Health {
  /// The health of one live object (as read from the API server).
  ///
  /// Rules for every object come first: one being deleted is `InProgress` (`Terminating`), and
  /// one whose controller has not yet seen its latest `metadata.generation` is `InProgress`
  /// (`GenerationNotObserved`). Then the reader of its group and kind decides; kinds without a
  /// reader are read by their `Ready` condition or `status.observedGeneration`, and are otherwise
  /// `Current` once applied (`NoStatus`). `null` (an object that is not there) and values that
  /// are not Kubernetes objects are `Unknown`.
  public static func of(_ object: Value) -> ObjectHealth {
    if object.isNull {
      return .unknown("NotFound", "the object does not exist on the cluster")
    }
    guard let live = LiveObject(object) else {
      return .unknown(
        "NotAnObject",
        "expected a Kubernetes object with apiVersion and kind, found \(object.typeDescription)")
    }
    if live.isTerminating { return terminating(live) }
    if let pending = generationNotObserved(live) { return pending }
    return reader(for: live)(live)
  }

  /// The reader for an object's group and kind.
  static func reader(for object: LiveObject) -> (LiveObject) -> ObjectHealth {
    switch (object.group, object.kind) {
    case ("apps", "Deployment"), ("extensions", "Deployment"): DeploymentHealth.health
    case ("apps", "StatefulSet"): StatefulSetHealth.health
    case ("apps", "DaemonSet"), ("extensions", "DaemonSet"): DaemonSetHealth.health
    case ("apps", "ReplicaSet"), ("extensions", "ReplicaSet"): ReplicaSetHealth.health
    case ("batch", "Job"): JobHealth.health
    case ("", "Pod"): PodHealth.health
    case ("", "PersistentVolumeClaim"): PVCHealth.health
    case ("", "Service"): ServiceHealth.health
    case ("", "Namespace"): NamespaceHealth.health
    case ("apiextensions.k8s.io", "CustomResourceDefinition"): CRDHealth.health
    case (let group, let kind) where StaticHealth.isStatic(group: group, kind: kind):
      StaticHealth.health
    default: GenericHealth.health
    }
  }

  /// Workload kinds whose controllers always report `status.observedGeneration`: for them a
  /// missing one means the controller has not seen the object at all.
  static func reportsObservedGeneration(_ object: LiveObject) -> Bool {
    switch (object.group, object.kind) {
    case ("apps", "Deployment"), ("apps", "StatefulSet"), ("apps", "DaemonSet"),
      ("apps", "ReplicaSet"), ("extensions", "Deployment"), ("extensions", "DaemonSet"),
      ("extensions", "ReplicaSet"):
      true
    default: false
    }
  }

  private static func terminating(_ object: LiveObject) -> ObjectHealth {
    let finalizers = object.value[path: ["metadata", "finalizers"]]?.arrayValue?.count ?? 0
    let since = object.string("metadata", "deletionTimestamp").map { " since \($0)" } ?? ""
    return .inProgress(
      "Terminating",
      finalizers == 0
        ? "the \(object.kind) is being deleted\(since)"
        : "the \(object.kind) is being deleted\(since), waiting for "
          + counted(Int64(finalizers), "finalizer"))
  }

  private static func generationNotObserved(_ object: LiveObject) -> ObjectHealth? {
    guard let generation = object.generation else { return nil }
    switch object.observedGeneration {
    case let observed? where observed < generation:
      return .inProgress(
        "GenerationNotObserved",
        "the controller has not seen generation \(generation) yet (it last observed \(observed))")
    case nil where reportsObservedGeneration(object):
      return .inProgress(
        "GenerationNotObserved", "the controller has not seen generation \(generation) yet")
    default:
      return nil
    }
  }
}
