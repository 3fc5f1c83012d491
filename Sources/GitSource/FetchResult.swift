public import Foundation

/// What a fetch produced: the commit a ref points at, and whether it is fresh from the remote.
public struct FetchResult: Sendable, Hashable {
  /// The remote, without userinfo.
  public var url: String
  /// The ref as asked for (`nil`: the remote's default branch).
  public var ref: String?
  public var commit: CommitInfo
  /// True when the remote was unreachable and `commit` comes from the cache.
  public var isOffline: Bool
  /// Why the remote could not be reached, when offline.
  public var offlineReason: String?
  /// When the cache last fetched successfully: now, unless offline.
  public var fetchedAt: Date?
  /// Final transfer counters of this fetch (all zero when offline or nothing was new).
  public var transfer: TransferProgress

  public init(
    url: String, ref: String?, commit: CommitInfo, isOffline: Bool, offlineReason: String?,
    fetchedAt: Date?, transfer: TransferProgress
  ) {
    self.url = url
    self.ref = ref
    self.commit = commit
    self.isOffline = isOffline
    self.offlineReason = offlineReason
    self.fetchedAt = fetchedAt
    self.transfer = transfer
  }
}

/// A commit read from the cache alone, without the network.
public struct CachedCommit: Sendable, Hashable {
  public var commit: CommitInfo
  /// When the cache last fetched successfully, if known.
  public var fetchedAt: Date?

  public init(commit: CommitInfo, fetchedAt: Date?) {
    self.commit = commit
    self.fetchedAt = fetchedAt
  }
}
