import Foundation
public import KubeClient
import Model
public import Rollout
import Synchronization

/// Keeps the rollout record in a ConfigMap of the cluster the controller runs in (so in etcd),
/// and reads the operator's controls from a second one that only the CLI writes.
///
/// Writes are conditional on the resourceVersion last read or written: a second controller
/// driving the same rollouts fails its next write instead of interleaving with the first.
public final class ConfigMapRolloutStore: RolloutStore {
  public static let namespace = "wavesync-system"
  public static let recordKey = "record.json"

  public let client: KubeClient
  /// The record's ConfigMap; the controls live in `<name>-control`.
  public let name: String
  private let fieldManager: String
  private let resourceVersion = Mutex<String?>(nil)

  public init(
    client: KubeClient, name: String = "wavesync-rollout", fieldManager: String = "wavesync"
  ) {
    self.client = client
    self.name = name
    self.fieldManager = fieldManager
  }

  var recordReference: ObjectReference {
    ObjectReference(apiVersion: "v1", kind: "ConfigMap", namespace: Self.namespace, name: name)
  }

  var controlReference: ObjectReference {
    ObjectReference(
      apiVersion: "v1", kind: "ConfigMap", namespace: Self.namespace, name: name + "-control")
  }

  public func load() async throws -> RolloutRecord? {
    guard let configMap = try await client.get(recordReference) else {
      resourceVersion.withLock { $0 = nil }
      return nil
    }
    resourceVersion.withLock {
      $0 = configMap[path: ["metadata", "resourceVersion"]]?.stringValue
    }
    guard let text = configMap[path: ["data", Self.recordKey]]?.stringValue else { return nil }
    do {
      return try Self.decoder.decode(RolloutRecord.self, from: Data(text.utf8))
    } catch {
      throw RolloutStoreError.unreadable(
        "ConfigMap \(Self.namespace)/\(name) key \(Self.recordKey): \(error)")
    }
  }

  public func save(_ record: RolloutRecord) async throws {
    let text = try Self.json(record)
    let configMap = Self.configMap(name: name, data: [Self.recordKey: .string(text)])
    let known = resourceVersion.withLock { $0 }
    let stored: Value
    do {
      stored = try await write(configMap, over: known)
    } catch {
      guard case .conflict = error else { throw error }
      throw RolloutStoreError.changedElsewhere(
        "ConfigMap \(Self.namespace)/\(name) was written by someone else "
          + "(another wavesync rollout or controller?)")
    }
    resourceVersion.withLock { $0 = stored[path: ["metadata", "resourceVersion"]]?.stringValue }
  }

  /// Conditional on `resourceVersion` when known; a create (which fails if it exists) when not.
  private func write(_ configMap: Value, over resourceVersion: String?) async throws(KubeError)
    -> Value
  {
    guard let resourceVersion else {
      try await ensureNamespace()
      return try await client.create(configMap)
    }
    var configMap = configMap
    configMap[path: ["metadata", "resourceVersion"]] = .string(resourceVersion)
    return try await client.apply(configMap, fieldManager: fieldManager, force: true)
  }

  public func controls() async throws -> RolloutControls {
    guard let configMap = try await client.get(controlReference) else { return RolloutControls() }
    let data = configMap["data"]
    return RolloutControls(
      paused: data?["paused"]?.stringValue == "true",
      promotions: (data?["promotions"]?.stringValue ?? "").split(separator: "\n").map(String.init))
  }

  /// Sets the operator's pause flag (`wavesync pause|resume`).
  public func setPaused(_ paused: Bool) async throws {
    try await updateControls { $0.paused = paused }
  }

  /// Opens the manual gate of `wave` for one rollout (`wavesync promote`).
  public func promote(rollout: String, wave: String) async throws {
    try await updateControls { controls in
      let entry = RolloutControls.promotion(rollout: rollout, wave: wave)
      controls.promotions.removeAll { $0 == entry }
      // The newest promotions are enough: older ones are for rollouts long finished.
      controls.promotions = Array((controls.promotions + [entry]).suffix(20))
    }
  }

  private func updateControls(_ change: (inout RolloutControls) -> Void) async throws {
    try await ensureNamespace()
    var controls = try await self.controls()
    change(&controls)
    let configMap = Self.configMap(
      name: controlReference.name,
      data: [
        "paused": controls.paused ? "true" : "false",
        "promotions": .string(controls.promotions.joined(separator: "\n")),
      ])
    _ = try await client.apply(configMap, fieldManager: fieldManager + "-cli", force: true)
  }

  private func ensureNamespace() async throws(KubeError) {
    let namespace = ObjectReference(
      apiVersion: "v1", kind: "Namespace", namespace: nil, name: Self.namespace)
    guard try await client.get(namespace) == nil else { return }
    _ = try await client.apply(
      ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(Self.namespace)]],
      fieldManager: fieldManager)
  }

  private static func configMap(name: String, data: Value) -> Value {
    [
      "apiVersion": "v1", "kind": "ConfigMap",
      "metadata": [
        "name": .string(name), "namespace": .string(namespace),
        "labels": ["app.kubernetes.io/managed-by": "wavesync"],
      ],
      "data": data,
    ]
  }

  /// The record as stored (`pretty`: indented, for people).
  public static func json(_ record: RolloutRecord, pretty: Bool = false) throws -> String {
    let encoder = pretty ? prettyEncoder : self.encoder
    return String(decoding: try encoder.encode(record), as: UTF8.self)
  }

  private static let encoder = makeEncoder([.sortedKeys, .withoutEscapingSlashes])
  private static let prettyEncoder = makeEncoder([
    .sortedKeys, .withoutEscapingSlashes, .prettyPrinted,
  ])

  private static func makeEncoder(_ formatting: JSONEncoder.OutputFormatting) -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = formatting
    encoder.dateEncodingStrategy = .custom { date, encoder in
      var container = encoder.singleValueContainer()
      try container.encode(
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }
    return encoder
  }

  private static let decoder: JSONDecoder = {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .custom { decoder in
      let text = try decoder.singleValueContainer().decode(String.self)
      if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) {
        return date
      }
      return try Date.ISO8601FormatStyle().parse(text)
    }
    return decoder
  }()
}

public enum RolloutStoreError: Error, Sendable, CustomStringConvertible {
  case unreadable(String)
  case changedElsewhere(String)

  public var description: String {
    switch self {
    case .unreadable(let what): "the stored rollout state is unreadable: \(what)"
    case .changedElsewhere(let what): what
    }
  }
}
