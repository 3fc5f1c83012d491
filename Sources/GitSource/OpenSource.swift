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

/// Changes whenever a path or a file's bytes change.
private func contentHash(of tree: InMemoryFileTree) -> String {
  var stream = Data()
  for path in tree.files.keys.sorted() {
    let data = tree.files[path]!
    stream.append(contentsOf: Array(path.utf8) + [0] + Array(String(data.count).utf8) + [0])
    stream.append(data)
  }
  return LibGit2.sha1Hex(stream)
}
