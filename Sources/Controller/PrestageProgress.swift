import Model

/// How far a pre-stage DaemonSet got, read from it and its pods: an image counts as pulled on a
/// node once the node's pod reports its `imageID`, whatever its no-op command did.
enum PrestageProgress: Sendable, Hashable {
  /// Every node the DaemonSet runs on pulled every image.
  case pulled
  /// Still pulling; what is missing.
  case pulling(String)
  /// A node cannot pull an image (the registry refuses it, the name is invalid).
  case cannotPull(image: String, node: String, reason: String)

  /// Waiting reasons of a container whose image the node cannot pull.
  static let pullFailures: Set<String> = [
    "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull",
  ]

  /// `images` as `PrestageDaemonSet.object(pulling:)` lists them; `pods` those with the
  /// DaemonSet's label (pods of an earlier DaemonSet of the same name do not count).
  static func read(daemonSet: Value, pods: [Value], images: [String]) -> PrestageProgress {
    let uid = daemonSet[path: ["metadata", "uid"]]?.stringValue
    let own = pods.filter { pod in
      pod[path: ["metadata", "deletionTimestamp"]] == nil
        && (pod[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).contains {
          uid != nil && $0["uid"]?.stringValue == uid
        }
    }
    var done: Set<String> = []
    var missing: [String] = []
    for pod in own {
      let node = targetNode(of: pod)
      var statuses: [String: Value] = [:]
      for key in ["initContainerStatuses", "containerStatuses"] {
        for status in pod[path: ["status", key]]?.arrayValue ?? [] {
          if let name = status["name"]?.stringValue { statuses[name] = status }
        }
      }
      var complete = true
      for (index, image) in images.enumerated() {
        let status = statuses[PrestageDaemonSet.containerName(at: index)]
        let waiting = status?[path: ["state", "waiting"]]
        if let reason = waiting?["reason"]?.stringValue, pullFailures.contains(reason) {
          let message = waiting?["message"]?.stringValue.map { ": \($0)" } ?? ""
          return .cannotPull(image: image, node: node, reason: reason + message)
        }
        if status?["imageID"]?.stringValue?.isEmpty ?? true {
          complete = false
          missing.append("node \(node) has not pulled \(image) yet")
        }
      }
      if complete { done.insert(node) }
    }
    guard let desired = daemonSet[path: ["status", "desiredNumberScheduled"]]?.intValue,
      let observed = daemonSet[path: ["status", "observedGeneration"]]?.intValue,
      observed >= daemonSet[path: ["metadata", "generation"]]?.intValue ?? 1
    else { return .pulling("the DaemonSet controller has not counted the nodes yet") }
    if Int64(done.count) >= desired { return .pulled }
    return .pulling(
      (["\(done.count) of \(desired) nodes pulled every image (\(own.count) pods)"]
        + missing.prefix(3)).joined(separator: "; "))
  }

  /// The node a DaemonSet pod is for: the one it is bound to, else the one its node affinity
  /// names (the DaemonSet controller pins each pod to its node that way; the scheduler binds it).
  static func targetNode(of pod: Value) -> String {
    if let bound = pod[path: ["spec", "nodeName"]]?.stringValue, !bound.isEmpty { return bound }
    let terms =
      pod[
        path: [
          "spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
          "nodeSelectorTerms",
        ]]?.arrayValue ?? []
    for term in terms {
      for field in term["matchFields"]?.arrayValue ?? []
      where field["key"]?.stringValue == "metadata.name" {
        if let node = field["values"]?[0]?.stringValue { return node }
      }
    }
    return pod[path: ["metadata", "name"]]?.stringValue.map { "of pod \($0)" } ?? "?"
  }
}
