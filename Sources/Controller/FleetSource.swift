public import Foundation
public import GitSource

/// Where a fleet's repository is and how to reach it: what the reconcile's source step fetches,
/// the rollout reads revisions from, and the Git poll asks for newer commits.
public struct FleetSource: Sendable {
  /// A Git URL, a local Git repository or a plain folder.
  public var url: String
  /// Branch, tag or commit to follow (nil: the remote's default branch, or HEAD).
  public var ref: String?
  public var cacheRoot: URL
  public var credentials: GitCredentials?
  public var insecureSkipTLSVerify: Bool

  public init(
    url: String, ref: String?, cacheRoot: URL, credentials: GitCredentials?,
    insecureSkipTLSVerify: Bool = false
  ) {
    self.url = url
    self.ref = ref
    self.cacheRoot = cacheRoot
    self.credentials = credentials
    self.insecureSkipTLSVerify = insecureSkipTLSVerify
  }

  /// Fetches and reads the commit `ref` points at; an unreachable remote serves the cached
  /// commit (the snapshot's `fetch` says so).
  public func fetch() async throws -> Snapshot {
    try await openSource(
      repo: url, ref: ref, cacheRoot: cacheRoot, credentials: credentials,
      insecureSkipTLSVerify: insecureSkipTLSVerify)
  }

  /// Fetches and reads `other`, a branch, tag or commit of the same repository.
  public func fetch(ref other: String) async throws -> Snapshot {
    var repository = self
    repository.ref = other
    return try await repository.fetch()
  }

  /// The files of a commit seen before, from the cache: no fetch.
  public func read(_ revision: String) async throws -> Snapshot {
    try await openRevision(
      revision, repo: url, cacheRoot: cacheRoot, credentials: credentials,
      insecureSkipTLSVerify: insecureSkipTLSVerify)
  }

  /// The commit `ref` points at now: fetched, no file of it read.
  public func latest() async throws -> String {
    try await latestRevision(
      repo: url, ref: ref, cacheRoot: cacheRoot, credentials: credentials,
      insecureSkipTLSVerify: insecureSkipTLSVerify)
  }
}
