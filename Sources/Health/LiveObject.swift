import Model

/// One live object as the readers see it: its group and kind, and typed access to the fields
/// they read. Missing or mistyped fields read as absent, never as a crash.
struct LiveObject {
  let value: Value
  /// Empty for the core group.
  let group: String
  let kind: String

  /// Nil when `value` is not a Kubernetes object (no mapping, no apiVersion or no kind).
  init?(_ value: Value) {
    guard case .object = value,
      let apiVersion = value["apiVersion"]?.stringValue, !apiVersion.isEmpty,
      let kind = value["kind"]?.stringValue, !kind.isEmpty
    else { return nil }
    self.value = value
    self.kind = kind
    let parts = apiVersion.split(separator: "/", maxSplits: 1)
    self.group = parts.count == 2 ? String(parts[0]) : ""
  }

  var generation: Int64? { int("metadata", "generation") }
  var observedGeneration: Int64? { int("status", "observedGeneration") }
  var isTerminating: Bool {
    guard let timestamp = value[path: ["metadata", "deletionTimestamp"]] else { return false }
    return !timestamp.isNull
  }

  func int(_ path: String...) -> Int64? { value[path: path]?.intValue }
  func string(_ path: String...) -> String? { value[path: path]?.stringValue }

  /// A count from the status; absent counts are zero, as the API server omits zeros.
  func count(_ field: String) -> Int64 { int("status", field) ?? 0 }

  /// `spec.replicas`, 1 when unset (the API default).
  var specReplicas: Int64 { int("spec", "replicas") ?? 1 }

  /// The condition of `type` in `status.conditions`.
  func condition(_ type: String) -> Condition? {
    value[path: ["status", "conditions"]]?.arrayValue?
      .lazy.compactMap(Condition.init).first { $0.type == type }
  }
}

/// One entry of `status.conditions`.
struct Condition {
  var type: String
  /// `True`, `False` or `Unknown`.
  var status: String
  var reason: String?
  var message: String?
  var observedGeneration: Int64?

  init?(_ value: Value) {
    guard let type = value["type"]?.stringValue else { return nil }
    self.type = type
    // Some controllers write booleans; the API's own types are strings.
    self.status =
      value["status"]?.stringValue ?? value["status"]?.boolValue.map { $0 ? "True" : "False" }
      ?? "Unknown"
    self.reason = value["reason"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    self.message = value["message"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    self.observedGeneration = value["observedGeneration"]?.intValue
  }

  var isTrue: Bool { status == "True" }
  var isFalse: Bool { status == "False" }

  /// ` (reason: message)`, for quoting the condition at the end of a sentence.
  var quoted: String {
    switch (reason, message) {
    case (let reason?, let message?): " (\(reason): \(message))"
    case (let reason?, nil): " (\(reason))"
    case (nil, let message?): " (\(message))"
    case (nil, nil): ""
    }
  }
}

/// `1 replica`, `3 replicas`.
func counted(_ number: Int64, _ noun: String, plural: String? = nil) -> String {
  "\(number) \(number == 1 ? noun : plural ?? noun + "s")"
}
