import Model

/// The status a kubelet would report for a pod whose containers all started (or, for a broken
/// image, keep crashing; for an image that cannot be pulled, wait in `ErrImagePull` with no image
/// id): pure functions of the pod, so a pod already reported is recognised and not patched again.
enum SimulatedPodStatus {
  /// How often a broken container has restarted, as reported.
  static let brokenRestartCount: Int64 = 5

  struct Context: Sendable {
    var podIP: String
    var hostIP: String
    /// RFC 3339, for every timestamp set now.
    var now: String
    var isBroken: @Sendable (String) -> Bool
    var cannotPull: @Sendable (String) -> Bool = SimulatedPodStatus.isUnpullableByDefault
  }

  /// The default test for an image the registry does not have: its tag contains `unpullable`
  /// (`shop:unpullable`, `registry.local/shop:2.0-unpullable`).
  static func isUnpullableByDefault(_ image: String) -> Bool {
    guard let colon = image.lastIndex(of: ":"), !image[colon...].contains("/") else { return false }
    return image[colon...].contains("unpullable")
  }

  /// The whole `status` of `pod` as this kubelet reports it.
  static func make(for pod: Value, _ context: Context) -> Value {
    let spec = pod["spec"] ?? .emptyObject
    let podName = pod[path: ["metadata", "name"]]?.stringValue ?? ""
    let initContainers = spec["initContainers"]?.arrayValue ?? []
    let containers = spec["containers"]?.arrayValue ?? []
    let previous = pod["status"] ?? .emptyObject
    let startedAt = previous["startTime"]?.stringValue ?? context.now

    // Init containers run in order; the first broken or unpullable one blocks the rest and the
    // pod.
    let blockingInit = initContainers.firstIndex {
      context.isBroken(image(of: $0)) || context.cannotPull(image(of: $0))
    }
    var initStatuses: [Value] = []
    for (index, container) in initContainers.enumerated() {
      if let blockingInit, index == blockingInit {
        initStatuses.append(
          context.cannotPull(image(of: container))
            ? unpulled(container, context) : crashing(container, pod: podName, context))
      } else if let blockingInit, index > blockingInit {
        initStatuses.append(waiting(container, reason: "PodInitializing", context))
      } else {
        initStatuses.append(completed(container, context))
      }
    }
    let initialized = blockingInit == nil
    let containerStatuses = containers.map { container in
      !initialized
        ? waiting(container, reason: "PodInitializing", context)
        : context.cannotPull(image(of: container))
          ? unpulled(container, context)
          : context.isBroken(image(of: container))
            ? crashing(container, pod: podName, context) : running(container, context)
    }
    // A container that never started keeps the pod Pending, as a kubelet reports it.
    let allStarted = initialized && !containers.contains { context.cannotPull(image(of: $0)) }
    let unready = zip(containers, containerStatuses)
      .filter { $0.1["ready"]?.boolValue != true }
      .map { $0.0["name"]?.stringValue ?? "" }
    let unreadyMessage = "containers with unready status: [\(unready.joined(separator: " "))]"

    var conditions: [Value] = []
    conditions.append(
      initialized
        ? condition("Initialized", true, context)
        : condition(
          "Initialized", false, context, reason: "ContainersNotInitialized",
          message:
            "containers with incomplete status: [\(incomplete(initContainers, blockingInit))]"
        ))
    for type in ["Ready", "ContainersReady"] {
      conditions.append(
        unready.isEmpty
          ? condition(type, true, context)
          : condition(type, false, context, reason: "ContainersNotReady", message: unreadyMessage))
    }
    conditions.append(condition("PodScheduled", true, context))

    var status: Value = [
      "phase": allStarted ? "Running" : "Pending",
      "conditions": .array(conditions),
      "hostIP": .string(context.hostIP),
      "podIP": .string(context.podIP),
      "podIPs": [["ip": .string(context.podIP)]],
      "startTime": .string(startedAt),
      "containerStatuses": .array(containerStatuses),
    ]
    if !initStatuses.isEmpty { status["initContainerStatuses"] = .array(initStatuses) }
    if let qosClass = previous["qosClass"] { status["qosClass"] = qosClass }
    return status
  }

  /// What tells two reported statuses apart, timestamps and addresses aside: equal signatures
  /// mean the pod needs no new patch.
  static func signature(of status: Value?) -> String {
    guard let status else { return "" }
    var parts = [status["phase"]?.stringValue ?? ""]
    for condition in status["conditions"]?.arrayValue ?? [] {
      parts.append(
        "\(condition["type"]?.stringValue ?? "")=\(condition["status"]?.stringValue ?? "")")
    }
    for key in ["initContainerStatuses", "containerStatuses"] {
      for container in status[key]?.arrayValue ?? [] {
        let state = container["state"]?.objectValue?.keys.first ?? ""
        let reason = container[path: ["state", state, "reason"]]?.stringValue ?? ""
        parts.append(
          [
            key, container["name"]?.stringValue ?? "", container["image"]?.stringValue ?? "",
            "\(container["ready"]?.boolValue ?? false)", state, reason,
            "\(container["restartCount"]?.intValue ?? 0)",
          ].joined(separator: "|"))
      }
    }
    return parts.sorted().joined(separator: "\n")
  }

  static func image(of container: Value) -> String { container["image"]?.stringValue ?? "" }

  private static func incomplete(_ initContainers: [Value], _ from: Int?) -> String {
    guard let from else { return "" }
    return initContainers[from...].map { $0["name"]?.stringValue ?? "" }.joined(separator: " ")
  }

  private static func condition(
    _ type: String, _ isTrue: Bool, _ context: Context, reason: String? = nil,
    message: String? = nil
  ) -> Value {
    var condition: Value = [
      "type": .string(type), "status": isTrue ? "True" : "False", "lastProbeTime": nil,
      "lastTransitionTime": .string(context.now),
    ]
    if let reason { condition["reason"] = .string(reason) }
    if let message { condition["message"] = .string(message) }
    return condition
  }

  private static func base(
    _ container: Value, ready: Bool, started: Bool, restarts: Int64, state: Value
  ) -> Value {
    let name = container["name"]?.stringValue ?? ""
    let image = image(of: container)
    return [
      "name": .string(name),
      "image": .string(image),
      "imageID": .string(FakeDigest.imageID(for: image)),
      "containerID": .string("containerd://" + FakeDigest.hex(of: "\(name)/\(image)")),
      "ready": .bool(ready),
      "started": .bool(started),
      "restartCount": .int(restarts),
      "state": state,
      "lastState": .emptyObject,
    ]
  }

  private static func running(_ container: Value, _ context: Context) -> Value {
    base(
      container, ready: true, started: true, restarts: 0,
      state: ["running": ["startedAt": .string(context.now)]])
  }

  private static func completed(_ container: Value, _ context: Context) -> Value {
    base(
      container, ready: true, started: false, restarts: 0,
      state: [
        "terminated": [
          "exitCode": 0, "reason": "Completed", "startedAt": .string(context.now),
          "finishedAt": .string(context.now),
        ]
      ])
  }

  private static func waiting(_ container: Value, reason: String, _ context: Context) -> Value {
    base(
      container, ready: false, started: false, restarts: 0,
      state: ["waiting": ["reason": .string(reason)]])
  }

  /// A container whose image the node cannot pull: waiting, and no image id (nothing pulled).
  private static func unpulled(_ container: Value, _ context: Context) -> Value {
    var status = waiting(container, reason: "ErrImagePull", context)
    status[path: ["state", "waiting", "message"]] = .string(
      "rpc error: code = NotFound desc = failed to pull and unpack image \"\(image(of: container))\": "
        + "not found (simulated)")
    status["imageID"] = ""
    return status
  }

  /// A container that exits with status 1 on every start: waiting in CrashLoopBackOff.
  private static func crashing(_ container: Value, pod: String, _ context: Context) -> Value {
    let name = container["name"]?.stringValue ?? ""
    var status = base(
      container, ready: false, started: false, restarts: brokenRestartCount,
      state: [
        "waiting": [
          "reason": "CrashLoopBackOff",
          "message": .string("back-off 2m40s restarting failed container=\(name) pod=\(pod)"),
        ]
      ])
    status["lastState"] = [
      "terminated": [
        "exitCode": 1, "reason": "Error", "startedAt": .string(context.now),
        "finishedAt": .string(context.now),
      ]
    ]
    return status
  }
}

/// Stable made-up digests (FNV-1a), so image and container ids look like a runtime's.
enum FakeDigest {
  static func hex(of text: String) -> String {
    (0..<4).map { round in
      var hash: UInt64 = 0xcbf2_9ce4_8422_2325 &+ UInt64(round)
      for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01b3
      }
      let digits = String(hash, radix: 16)
      return String(repeating: "0", count: 16 - digits.count) + digits
    }.joined()
  }

  static func imageID(for image: String) -> String {
    let repository = image.split(separator: "@").first.map(String.init) ?? image
    let name =
      repository.lastIndex(of: ":").flatMap { colon in
        repository[colon...].contains("/") ? nil : String(repository[..<colon])
      } ?? repository
    return "\(name)@sha256:\(hex(of: image))"
  }
}
