import CGit2
import Foundation

/// Owns an open `git_repository`. Not Sendable: it lives inside one block on a serial queue.
final class RepositoryHandle {
  let pointer: OpaquePointer
  /// How errors name this repository: the remote's URL, or the local path.
  let displayName: String

  private init(_ pointer: OpaquePointer, displayName: String) {
    self.pointer = pointer
    self.displayName = displayName
  }

  deinit { git_repository_free(pointer) }

  /// Opens exactly the repository at `path` (a work tree or a bare repository), no searching up.
  static func open(path: String, displayName: String) throws(GitSourceError) -> RepositoryHandle {
    LibGit2.ensureInitialized()
    var repo: OpaquePointer?
    let code = git_repository_open_ext(
      &repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
    guard code == 0, let repo else {
      if code == GIT_ENOTFOUND.rawValue { throw .notARepository(path: path) }
      try LibGit2.check(code, "opening \(path)")
      throw .notARepository(path: path)
    }
    return RepositoryHandle(repo, displayName: displayName)
  }

  static func initBare(path: String, displayName: String) throws(GitSourceError)
    -> RepositoryHandle
  {
    LibGit2.ensureInitialized()
    var repo: OpaquePointer?
    try LibGit2.check(git_repository_init(&repo, path, 1), "creating cache \(path)")
    guard let repo else { throw .notARepository(path: path) }
    return RepositoryHandle(repo, displayName: displayName)
  }

  static func isRepository(path: String) -> Bool {
    (try? open(path: path, displayName: path)) != nil
  }

  func commitInfo(_ oid: git_oid) throws(GitSourceError) -> CommitInfo {
    var oid = oid
    var commit: OpaquePointer?
    try LibGit2.check(
      git_commit_lookup(&commit, pointer, &oid), "reading commit \(LibGit2.hex(oid))")
    defer { git_commit_free(commit) }
    let author = git_commit_author(commit)!.pointee
    var parents: [String] = []
    for index in 0..<git_commit_parentcount(commit) {
      if let parent = git_commit_parent_id(commit, index) {
        parents.append(LibGit2.hex(parent.pointee))
      }
    }
    return CommitInfo(
      id: LibGit2.hex(oid),
      authorName: author.name.map { String(cString: $0) } ?? "",
      authorEmail: author.email.map { String(cString: $0) } ?? "",
      authorDate: Date(timeIntervalSince1970: TimeInterval(author.when.time)),
      subject: git_commit_summary(commit).map { String(cString: $0) } ?? "",
      message: git_commit_message(commit).map { String(cString: $0) } ?? "",
      parentIDs: parents)
  }
}
