public import Foundation
import Model

/// Reads the desired state from wherever `repo` points:
/// - a remote URL (`https://`, `http://`, `git://`, `ssh://`, `file://`, `user@host:path`):
///   fetched into a `GitMirror` under `cacheRoot`, then read at `ref` (default: the remote's
///   default branch); the snapshot's `fetch` says whether the cache served it offline;
/// - a local Git repository (with `.git`, or bare): read in place at `ref` (default `HEAD`);
/// - a local plain directory: read as it is on disk; `ref` must be `nil`, and the revision is
///   `workdir-<sha1 of the paths and contents>`.
public func openSource(
  repo: String, ref: String? = nil, cacheRoot: URL, credentials: GitCredentials? = nil,
  insecureSkipTLSVerify: Bool = false, progress: (@Sendable (TransferProgress) -> Void)? = nil
) async throws -> Snapshot {
  if RemoteURL.isRemote(repo) {
    let mirror = GitMirror(
      url: repo, cacheRoot: cacheRoot, credentials: credentials,
      insecureSkipTLSVerify: insecureSkipTLSVerify)
    let fetched = try await mirror.fetch(ref: ref, progress: progress)
    var snapshot = try await mirror.snapshot(ref: fetched.commit.id)
    snapshot.fetch = fetched
    return snapshot
  }
  if RepositoryHandle.isRepository(path: repo) {
    return try await LocalGitRepository(path: repo).snapshot(ref: ref)
  }
  if let ref { throw GitSourceError.refOnPlainDirectory(ref: ref, path: repo) }
  let files = try LocalDirectoryTree(root: repo).loadAll()
  return Snapshot(revision: "workdir-" + contentHash(of: files), commit: nil, tree: files)
}

/// Changes whenever a path, a file's bytes or a link's target change.
private func contentHash(of tree: InMemoryFileTree) -> String {
  var stream = Data()
  for path in tree.files.keys.sorted() {
    let data = tree.files[path]!
    stream.append(contentsOf: Array(path.utf8) + [0] + Array(String(data.count).utf8) + [0])
    stream.append(data)
  }
  for path in tree.links.keys.sorted() {
    stream.append(contentsOf: Array("link:\(path)".utf8) + [0])
    stream.append(contentsOf: Array(tree.links[path]!.utf8) + [0])
  }
  return LibGit2.sha1Hex(stream)
}

/// The files of `revision` (a commit id seen before) from where `repo` points, without fetching:
/// from the Git cache for a remote, in place for a local repository. A plain directory has only
/// its current content, so any other revision is an error.
public func openRevision(
  _ revision: String, repo: String, cacheRoot: URL, credentials: GitCredentials? = nil,
  insecureSkipTLSVerify: Bool = false
) async throws -> Snapshot {
  if RemoteURL.isRemote(repo) {
    return try await GitMirror(
      url: repo, cacheRoot: cacheRoot, credentials: credentials,
      insecureSkipTLSVerify: insecureSkipTLSVerify
    ).snapshot(ref: revision)
  }
  if RepositoryHandle.isRepository(path: repo) {
    return try await LocalGitRepository(path: repo).snapshot(ref: revision)
  }
  let current = try await openSource(repo: repo, cacheRoot: cacheRoot)
  guard current.revision == revision else {
    throw GitSourceError.refOnPlainDirectory(ref: revision, path: repo)
  }
  return current
}

/// The revision `ref` points at now, for noticing newer commits: fetched for a remote, resolved
/// in place for a local repository, and no file of the commit read (a plain directory has no
/// commit: its content is hashed, as `openSource` names it). A remote that does not answer gives
/// the cached commit and the reason (`offlineReason`).
public func fetchRevision(
  repo: String, ref: String? = nil, cacheRoot: URL, credentials: GitCredentials? = nil,
  insecureSkipTLSVerify: Bool = false
) async throws -> (revision: String, offlineReason: String?) {
  if RemoteURL.isRemote(repo) {
    let fetched = try await GitMirror(
      url: repo, cacheRoot: cacheRoot, credentials: credentials,
      insecureSkipTLSVerify: insecureSkipTLSVerify
    ).fetch(ref: ref)
    return (fetched.commit.id, fetched.isOffline ? fetched.offlineReason ?? "no answer" : nil)
  }
  if RepositoryHandle.isRepository(path: repo) {
    return (try await LocalGitRepository(path: repo).resolve(ref).id, nil)
  }
  return (try await openSource(repo: repo, ref: ref, cacheRoot: cacheRoot).revision, nil)
}

/// `fetchRevision`'s revision alone.
public func latestRevision(
  repo: String, ref: String? = nil, cacheRoot: URL, credentials: GitCredentials? = nil,
  insecureSkipTLSVerify: Bool = false
) async throws -> String {
  try await fetchRevision(
    repo: repo, ref: ref, cacheRoot: cacheRoot, credentials: credentials,
    insecureSkipTLSVerify: insecureSkipTLSVerify
  ).revision
}
