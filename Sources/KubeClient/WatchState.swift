import Model

/// Where a watch stands: the resourceVersion to resume from, and the objects it has reported
/// as present, so a relist after 410 Gone can report what changed meanwhile, deletions included.
struct WatchState {
  var resourceVersion: String?
  /// resourceVersion of each live object, by "namespace/name".
  var known: [String: String] = [:]
  var needsRelist = false

  static func key(of object: Value) -> String? {
    guard let name = object[path: ["metadata", "name"]]?.stringValue else { return nil }
    return (object[path: ["metadata", "namespace"]]?.stringValue ?? "") + "/" + name
  }

  static func version(of object: Value) -> String? {
    object[path: ["metadata", "resourceVersion"]]?.stringValue
  }

  /// Takes in one event the server sent.
  mutating func record(_ event: WatchEvent) {
    if let version = Self.version(of: event.object), !version.isEmpty { resourceVersion = version }
    guard let key = Self.key(of: event.object) else { return }
    switch event.kind {
    case .added, .modified: known[key] = Self.version(of: event.object) ?? ""
    case .deleted: known[key] = nil
    case .bookmark: break
    }
  }

  /// The events that take a consumer from what it has seen to `items`, a fresh list; the
  /// state then matches the list.
  mutating func reconcile(
    with items: [Value], listVersion: String?, apiVersion: String, kind: String
  ) -> [WatchEvent] {
    var events: [WatchEvent] = []
    var present: [String: String] = [:]
    for item in items {
      guard let key = Self.key(of: item) else { continue }
      let version = Self.version(of: item) ?? ""
      present[key] = version
      switch known[key] {
      case nil: events.append(WatchEvent(kind: .added, object: item))
      case let old? where old != version: events.append(WatchEvent(kind: .modified, object: item))
      default: break
      }
    }
    for key in known.keys.sorted() where present[key] == nil {
      // Only the name is left of an object deleted while the watch was away.
      let parts = key.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
      var metadata: Value = ["name": .string(String(parts[1]))]
      if !parts[0].isEmpty { metadata["namespace"] = .string(String(parts[0])) }
      events.append(
        WatchEvent(
          kind: .deleted,
          object: ["apiVersion": .string(apiVersion), "kind": .string(kind), "metadata": metadata]))
    }
    known = present
    resourceVersion = listVersion
    return events
  }
}
