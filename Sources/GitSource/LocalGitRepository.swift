import Foundation

/// A Git repository on this machine (with a work tree or bare), read in place through libgit2:
/// only committed content is read, never the work tree.
public struct LocalGitRepository: Sendable {
  public let path: String

  /// Throws `notARepository` unless `path` itself is a repository (`.git` inside, or bare).
  public init(path: String) throws(GitSourceError) {
    let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
    guard RepositoryHandle.isRepository(path: standardized) else {
      throw .notARepository(path: path)
    }
    self.path = standardized
  }

  public func resolve(_ ref: String? = nil) async throws(GitSourceError) -> CommitInfo {
    try await withRepository { repository throws(GitSourceError) in
      try repository.commitInfo(RevisionResolver.local(repository).resolve(ref))
    }
  }

  /// The committed files of `ref` (default `HEAD`).
  public func snapshot(ref: String? = nil) async throws(GitSourceError) -> Snapshot {
    try await withRepository { repository throws(GitSourceError) in
      let oid = try RevisionResolver.local(repository).resolve(ref)
      return Snapshot(
        revision: LibGit2.hex(oid), commit: try repository.commitInfo(oid),
        tree: try CommitTreeReader(repository: repository).files(of: oid))
    }
  }

  public func history(ref: String? = nil, limit: Int = 20) async throws(GitSourceError)
    -> [CommitInfo]
  {
    try await withRepository { repository throws(GitSourceError) in
      let start = try RevisionResolver.local(repository).resolve(ref)
      return try CommitHistory(repository: repository).commits(from: start, limit: limit)
    }
  }

  private func withRepository<T: Sendable>(
    _ body: @escaping @Sendable (RepositoryHandle) throws(GitSourceError) -> T
  ) async throws(GitSourceError) -> T {
    let path = path
    return try await BlockingWork.run(on: path) { () throws(GitSourceError) in
      try body(RepositoryHandle.open(path: path, displayName: path))
    }
  }
}
