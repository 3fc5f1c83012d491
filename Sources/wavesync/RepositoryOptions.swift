import ArgumentParser
import Controller
import Foundation
import GitSource
import Model

/// Where the fleet repository comes from, shared by every command that reads it.
struct RepositoryOptions: ParsableArguments {
  @Option(
    name: .long,
    help:
      "The fleet repository: a Git URL (https, http, git, ssh, file), a local Git repository, or a plain folder."
  )
  var repo: String?

  @Option(
    name: .long,
    help: "Branch, tag or commit to read (default: the remote's default branch, or HEAD).")
  var ref: String?

  @Option(
    name: .long,
    help: "Folder for the Git cache (default: $WAVESYNC_CACHE_DIR, else ~/.cache/wavesync/git).")
  var cacheDir: String?

  @Option(
    name: .long,
    help:
      "File of key=value Git credentials (username, password or token, ssh-key); default: WAVESYNC_GIT_* variables."
  )
  var credentialsFile: String?

  @Flag(
    name: .long,
    help: "Accept a Git server's TLS certificate without verifying it (unsafe; for tests only).")
  var insecureSkipTLSVerify = false

  var cacheRoot: URL {
    if let cacheDir { return URL(fileURLWithPath: cacheDir) }
    if let fromEnvironment = ProcessInfo.processInfo.environment["WAVESYNC_CACHE_DIR"],
      !fromEnvironment.isEmpty
    {
      return URL(fileURLWithPath: fromEnvironment)
    }
    return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(
      ".cache/wavesync/git")
  }

  /// The revision's files. A remote that cannot be reached falls back to the cached commit,
  /// and says so on standard error.
  func open() async throws -> Snapshot {
    let (repo, credentials) = try source()
    let snapshot = try await openSource(
      repo: repo, ref: ref, cacheRoot: cacheRoot, credentials: credentials,
      insecureSkipTLSVerify: insecureSkipTLSVerify)
    if let fetch = snapshot.fetch, fetch.isOffline {
      printError(
        "warning: \(fetch.url) is unreachable (\(fetch.offlineReason ?? "no answer")); "
          + "using the cached commit \(fetch.commit.id.prefix(12))")
    }
    return snapshot
  }
}

extension RepositoryOptions {
  /// `--repo` (required here) and the Git credentials to reach it.
  private func source() throws -> (repo: String, credentials: GitCredentials?) {
    guard let repo else {
      throw UserError("give --repo: a Git URL, a local Git repository or a folder")
    }
    let credentials =
      try credentialsFile.map { path throws in try GitCredentials.fromFile(path) }
      ?? GitCredentials.fromEnvironment()
    return (repo, credentials)
  }

  /// The repository as the reconcile reaches it.
  func fleetRepository() throws -> FleetSource {
    let (repo, credentials) = try source()
    return FleetSource(
      url: repo, ref: ref, cacheRoot: cacheRoot, credentials: credentials,
      insecureSkipTLSVerify: insecureSkipTLSVerify)
  }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case yaml, json, table
}
