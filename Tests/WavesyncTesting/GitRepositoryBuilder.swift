public import Foundation

/// Makes real Git repositories with the `git` CLI, independent of the user's Git config.
/// Commit n (from 1) is dated 1_700_000_000 + n minutes, so history order is stable.
public final class GitRepositoryBuilder {
  public let directory: URL
  private var commitCount = 0

  /// `git init` (branch `main`) in `parent/name`.
  public init(in parent: URL, name: String = "repo", bare: Bool = false) throws {
    directory = parent.appendingPathComponent(name, isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try git(["-c", "init.defaultBranch=main", "init", "-q"] + (bare ? ["--bare"] : []))
  }

  public var path: String { directory.path }

  @discardableResult
  public func git(_ arguments: [String]) throws -> String {
    let date = "\(1_700_000_000 + commitCount * 60) +0000"
    let environment = [
      "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
      "HOME": directory.path,
      "GIT_CONFIG_NOSYSTEM": "1",
      "GIT_CONFIG_GLOBAL": "/dev/null",
      "GIT_AUTHOR_NAME": "Test Author", "GIT_AUTHOR_EMAIL": "author@example.test",
      "GIT_COMMITTER_NAME": "Test Committer", "GIT_COMMITTER_EMAIL": "committer@example.test",
      "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
    ]
    return try CommandRunner.run(
      "/usr/bin/git", arguments, in: directory, environment: environment
    ).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  public func write(_ path: String, _ text: String) throws {
    try write(path, data: Data(text.utf8))
  }

  public func write(_ path: String, data: Data) throws {
    let url = directory.appendingPathComponent(path)
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try data.write(to: url)
  }

  public func remove(_ path: String) throws {
    try FileManager.default.removeItem(at: directory.appendingPathComponent(path))
  }

  public func symlink(_ path: String, to target: String) throws {
    try FileManager.default.createSymbolicLink(
      atPath: directory.appendingPathComponent(path).path, withDestinationPath: target)
  }

  /// Commits everything in the work tree; returns the new commit id.
  @discardableResult
  public func commit(_ message: String) throws -> String {
    commitCount += 1
    try git(["add", "-A"])
    try git(["commit", "-q", "--allow-empty", "-m", message])
    return try git(["rev-parse", "HEAD"])
  }

  /// A lightweight tag, or an annotated one when `message` is given.
  public func tag(_ name: String, message: String? = nil, at revision: String = "HEAD") throws {
    if let message {
      try git(["tag", "-a", name, "-m", message, revision])
    } else {
      try git(["tag", name, revision])
    }
  }

  public func checkout(newBranch name: String) throws { try git(["checkout", "-q", "-b", name]) }
  public func checkout(_ name: String) throws { try git(["checkout", "-q", name]) }
}
