public import KubeClient
public import Model

/// The reads and writes of one fleet's objects in the regional cluster (its `Fleet` and
/// `FleetSite`s): all the I/O of `FleetStateStore`. Writes carry metadata.resourceVersion and
/// fail with `KubeError.conflict` when the object changed since.
public protocol FleetObjects: Sendable {
  var namespace: String { get }
  var fleetName: String { get }
  func fleet() async throws(KubeError) -> Value?
  /// The fleet's `FleetSite`s (label `wavesync.io/fleet`).
  func sites() async throws(KubeError) -> [Value]
  func createSite(_ object: Value) async throws(KubeError) -> Value
  func replaceSite(_ object: Value) async throws(KubeError) -> Value
  func deleteSite(named name: String) async throws(KubeError)
  /// Replaces the `Fleet`'s status (the status subresource).
  func replaceFleetStatus(_ fleet: Value) async throws(KubeError) -> Value
}

extension FleetObjects {
  /// The `Fleet`, or nil; a cluster that does not serve Fleets is `notInstalled`.
  public func fleetIfInstalled() async throws -> Value? {
    do {
      return try await fleet()
    } catch {
      if case .unknownKind = error { throw FleetStateStoreError.notInstalled(error.description) }
      throw error
    }
  }
}

/// `FleetObjects` in a cluster, through the Kubernetes API.
public struct KubeFleetObjects: FleetObjects {
  public let client: KubeClient
  public let namespace: String
  public let fleetName: String

  public init(client: KubeClient, namespace: String, fleetName: String) {
    self.client = client
    self.namespace = namespace
    self.fleetName = fleetName
  }

  public func fleet() async throws(KubeError) -> Value? {
    try await client.get(
      ObjectReference(
        apiVersion: FleetResourceNames.apiVersion, kind: FleetResourceNames.fleetKind,
        namespace: namespace, name: fleetName))
  }

  public func sites() async throws(KubeError) -> [Value] {
    try await client.list(
      apiVersion: FleetResourceNames.apiVersion, kind: FleetResourceNames.siteKind,
      namespace: namespace, labelSelector: "\(FleetResourceNames.fleetLabel)=\(fleetName)")
  }

  public func createSite(_ object: Value) async throws(KubeError) -> Value {
    try await client.create(object)
  }

  public func replaceSite(_ object: Value) async throws(KubeError) -> Value {
    try await client.replace(object)
  }

  public func deleteSite(named name: String) async throws(KubeError) {
    _ = try await client.delete(
      ObjectReference(
        apiVersion: FleetResourceNames.apiVersion, kind: FleetResourceNames.siteKind,
        namespace: namespace, name: name))
  }

  public func replaceFleetStatus(_ fleet: Value) async throws(KubeError) -> Value {
    try await client.replace(fleet, subresource: "status")
  }
}
