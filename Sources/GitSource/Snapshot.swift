public import Model

/// The files of one revision, held in memory, so rendering never touches the network or disk.
public struct Snapshot: Sendable, Hashable {
  /// The commit id, or for a plain directory `workdir-<sha1 of its content>`.
  public var revision: String
  /// The commit read, or `nil` for a plain directory.
  public var commit: CommitInfo?
  public var tree: InMemoryFileTree
  /// How the commit was obtained when it came from a remote (it may be an offline fallback).
  public var fetch: FetchResult?

  public init(
    revision: String, commit: CommitInfo?, tree: InMemoryFileTree, fetch: FetchResult? = nil
  ) {
    self.revision = revision
    self.commit = commit
    self.tree = tree
    self.fetch = fetch
  }
}
