public import Health
public import KubeClient
public import Model

/// Installs Wavesync's CustomResourceDefinitions in a regional cluster: server-side applied,
/// idempotently, then awaited until the API server serves them.
public struct CustomResourceInstaller: Sendable {
  public enum Outcome: String, Sendable {
    case created, configured, unchanged
  }

  public struct Installed: Sendable {
    public var name: String
    public var outcome: Outcome
  }

  public static let fieldManager = "wavesync"

  public let client: KubeClient
  /// Polls of the definitions' `Established` condition before giving up, one every
  /// `pollInterval`.
  var establishPolls = 240
  var pollInterval: Duration = .milliseconds(250)

  public init(client: KubeClient) { self.client = client }

  /// The definitions, parsed.
  public static func definitions() throws -> [Value] {
    try CustomResourceDefinitions.files.map { file in
      try YAML.value(from: file.text, file: file.name, rules: .kubectl)
    }
  }

  /// Applies every definition and waits until each is established.
  public func install() async throws -> [Installed] {
    var installed: [Installed] = []
    for definition in try Self.definitions() {
      let id = try ObjectReference(of: definition)
      let before = try await client.get(id)
      let after = try await client.apply(definition, fieldManager: Self.fieldManager, force: true)
      let outcome: Outcome =
        before == nil
        ? .created
        : resourceVersion(before) == resourceVersion(after) ? .unchanged : .configured
      try await waitUntilEstablished(id)
      installed.append(Installed(name: id.name, outcome: outcome))
    }
    return installed
  }

  private func waitUntilEstablished(_ id: ObjectReference) async throws {
    var health = ObjectHealth(status: .inProgress, reason: "NotRead", message: "not read yet")
    for _ in 0..<establishPolls {
      health = Health.of(try await client.get(id) ?? .null)
      switch health.status {
      case .current: return
      case .failed: throw InstallError(definition: id.name, health: health)
      default: try await Task.sleep(for: pollInterval)
      }
    }
    throw InstallError(definition: id.name, health: health)
  }

  private func resourceVersion(_ object: Value?) -> String? {
    object?[path: ["metadata", "resourceVersion"]]?.stringValue
  }
}

/// A definition the API server did not come to serve.
public struct InstallError: Error, Sendable, CustomStringConvertible {
  public var definition: String
  public var health: ObjectHealth

  public var description: String {
    "CustomResourceDefinition \(definition) is not served: \(health.reason): \(health.message)"
  }
}
