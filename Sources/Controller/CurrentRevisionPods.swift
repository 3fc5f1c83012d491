import Model

/// The pods of a workload's current revision, from lists read once per site: a Deployment's
/// from its current ReplicaSet (`pod-template-hash`), a StatefulSet's from
/// `status.updateRevision`, a DaemonSet's from its newest ControllerRevision (both by
/// `controller-revision-hash`). A crash-looping pod of an older revision, on its way out, does
/// not count against the new one. Pure.
struct CurrentRevisionPods {
  /// Every pod, ReplicaSet and ControllerRevision of the site.
  var pods: [Value]
  var replicaSets: [Value]
  var controllerRevisions: [Value]

  static let workloadKinds: Set<String> = ["Deployment", "StatefulSet", "DaemonSet"]

  /// The pods of `workload`'s current revision; none while that revision is not known yet (the
  /// workload's own health says it is progressing then).
  func pods(of workload: Value) -> [Value] {
    guard let namespace = workload[path: ["metadata", "namespace"]]?.stringValue,
      let selector = workload[path: ["spec", "selector", "matchLabels"]]?.objectValue,
      !selector.isEmpty,
      let (label, hash) = currentRevision(of: workload, namespace: namespace)
    else { return [] }
    return pods.filter { pod in
      guard pod[path: ["metadata", "namespace"]]?.stringValue == namespace,
        let labels = pod[path: ["metadata", "labels"]]?.objectValue
      else { return false }
      return labels[label]?.stringValue == hash
        && selector.allSatisfy { labels[$0.key] == $0.value }
    }
  }

  /// The pod label naming a revision, and the current revision's value of it.
  private func currentRevision(of workload: Value, namespace: String) -> (String, String)? {
    switch workload["kind"]?.stringValue {
    case "Deployment":
      let revision = Self.annotation(workload, "deployment.kubernetes.io/revision")
      let current = owned(replicaSets, by: workload, namespace: namespace).first {
        revision != nil && Self.annotation($0, "deployment.kubernetes.io/revision") == revision
      }
      return current.flatMap(Self.label("pod-template-hash")).map { ("pod-template-hash", $0) }
    case "StatefulSet":
      // The current ControllerRevision's name, which the set's pods carry as their hash.
      return workload[path: ["status", "updateRevision"]]?.stringValue.map {
        ("controller-revision-hash", $0)
      }
    case "DaemonSet":
      let newest = owned(controllerRevisions, by: workload, namespace: namespace).max {
        ($0["revision"]?.intValue ?? 0) < ($1["revision"]?.intValue ?? 0)
      }
      return newest.flatMap(Self.label("controller-revision-hash")).map {
        ("controller-revision-hash", $0)
      }
    default:
      return nil
    }
  }

  private func owned(_ objects: [Value], by owner: Value, namespace: String) -> [Value] {
    guard let uid = owner[path: ["metadata", "uid"]]?.stringValue else { return [] }
    return objects.filter { object in
      object[path: ["metadata", "namespace"]]?.stringValue == namespace
        && (object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).contains {
          $0["uid"]?.stringValue == uid
        }
    }
  }

  private static func annotation(_ object: Value, _ key: String) -> String? {
    object[path: ["metadata", "annotations"]]?[key]?.stringValue
  }

  private static func label(_ key: String) -> (Value) -> String? {
    { $0[path: ["metadata", "labels"]]?[key]?.stringValue }
  }
}
