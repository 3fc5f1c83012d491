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

  /// Fetches and returns the commit `ref` (or `other`) points at, reading none of its files; a
  /// remote that does not answer gives the cached commit and says why (`offlineReason`).
  public func fetchRevision(ref other: String? = nil) async throws
    -> (revision: String, offlineReason: String?)
  {
    try await GitSource.fetchRevision(
      repo: url, ref: other ?? ref, cacheRoot: cacheRoot, credentials: credentials,
      insecureSkipTLSVerify: insecureSkipTLSVerify)
  }

  /// The files of a commit seen before, from the cache: no fetch.
  public func read(_ revision: String) async throws -> Snapshot {
    try await openRevision(
      revision, repo: url, cacheRoot: cacheRoot, credentials: credentials,
      insecureSkipTLSVerify: insecureSkipTLSVerify)
  }

  /// The commit `ref` points at now, for a rollout's poll: a remote that does not answer is a
  /// failed poll (`GitOffline`), not the cached commit again.
  public func latest() async throws -> String {
    let (revision, offlineReason) = try await fetchRevision()
    if let offlineReason { throw GitOffline(url: url, reason: offlineReason) }
    return revision
  }
}

/// The remote did not answer; the cache still has a commit.
public struct GitOffline: Error, Sendable, CustomStringConvertible {
  public var url: String
  public var reason: String
  public var description: String { "\(url) is unreachable (\(reason))" }
}
