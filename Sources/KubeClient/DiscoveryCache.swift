import Synchronization

/// What discovery said about each group version, by kind: kept for the client's lifetime,
/// because a sync looks up the same handful of kinds over and over.
final class DiscoveryCache: Sendable {
  private let groupVersions = Mutex<[String: [String: ResourceMapping]]>([:])

  func mapping(apiVersion: String, kind: String) -> ResourceMapping? {
    groupVersions.withLock { $0[apiVersion]?[kind] }
  }

  func store(apiVersion: String, kinds: [String: ResourceMapping]) {
    groupVersions.withLock { $0[apiVersion] = kinds }
  }

  func forget(apiVersion: String) {
    groupVersions.withLock { $0[apiVersion] = nil }
  }

  var all: [ResourceMapping] {
    groupVersions.withLock { $0.values.flatMap(\.values) }
  }
}
