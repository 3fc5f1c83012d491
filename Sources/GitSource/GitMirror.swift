import CGit2
public import Foundation

/// A local bare mirror of one remote repository, fetched incrementally, read without a work tree.
///
/// The mirror lives in `<cacheRoot>/<name>-<hash of the URL>.git`. Branches are fetched into
/// `refs/remotes/origin/*`, tags into `refs/tags/*`, and `refs/remotes/origin/HEAD` follows the
/// remote's default branch. The URL stored in the mirror's config never holds a password:
/// credentials are only handed to libgit2's credential callback.
///
/// All methods are `async` and run libgit2 on a serial Dispatch queue per cache directory.
public struct GitMirror: Sendable {
  /// Whether the system libgit2 can fetch over SSH (it needs libssh2 at build time).
  public static var sshSupported: Bool { LibGit2.supportsSSH }

  static let remoteName = "origin"
  static let refspecs = ["+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"]
  private static let fetchedAtKey = "wavesync.fetchedat"

  /// The remote, without userinfo.
  public var url: String { remote.display }
  public let cacheDirectory: URL
  public let credentials: GitCredentials?
  /// Accept TLS certificates that cannot be verified. Off unless the caller opts in.
  public let insecureSkipTLSVerify: Bool
  let remote: RemoteURL

  public init(
    url: String, cacheRoot: URL, credentials: GitCredentials? = nil,
    insecureSkipTLSVerify: Bool = false
  ) {
    remote = RemoteURL(url)
    cacheDirectory = cacheRoot.appendingPathComponent(remote.cacheDirectoryName, isDirectory: true)
    self.credentials = credentials
    self.insecureSkipTLSVerify = insecureSkipTLSVerify
  }

  /// Fetches the remote (a clone the first time, incremental afterwards) and resolves `ref`
  /// (`nil` or `HEAD`: the remote's default branch).
  ///
  /// When the remote is unreachable but the cache holds `ref`, returns the cached commit with
  /// `isOffline == true`. When nothing is cached, throws `unreachable` naming the URL.
  /// Refused credentials always throw `authenticationFailed`, cache or not: a wrong secret must be
  /// noticed. Callers that still want the old revision can ask `cachedCommit(ref:)`.
  public func fetch(
    ref: String? = nil, progress: (@Sendable (TransferProgress) -> Void)? = nil
  ) async throws(GitSourceError) -> FetchResult {
    try await BlockingWork.run(on: cacheDirectory.path) { () throws(GitSourceError) in
      try fetchBlocking(ref: ref, progress: progress)
    }
  }

  /// The commit `ref` had at the last fetch, read without the network; `nil` when nothing has
  /// been fetched yet. Throws `refNotFound` when the cache does not have `ref`.
  public func cachedCommit(ref: String? = nil) async throws(GitSourceError) -> CachedCommit? {
    try await BlockingWork.run(on: cacheDirectory.path) { () throws(GitSourceError) in
      guard let repository = try openCacheIfPresent() else { return nil }
      let commit = try repository.commitInfo(RevisionResolver.cache(repository).resolve(ref))
      return CachedCommit(commit: commit, fetchedAt: Self.lastFetched(repository))
    }
  }

  /// The files of `ref` (branch, tag, full or abbreviated commit id, including commits no branch
  /// points at any more) as last fetched. Does not fetch.
  public func snapshot(ref: String? = nil) async throws(GitSourceError) -> Snapshot {
    try await BlockingWork.run(on: cacheDirectory.path) { () throws(GitSourceError) in
      let repository = try openCache()
      let oid = try RevisionResolver.cache(repository).resolve(ref)
      return Snapshot(
        revision: LibGit2.hex(oid), commit: try repository.commitInfo(oid),
        tree: try CommitTreeReader(repository: repository).files(of: oid))
    }
  }

  /// Up to `limit` commits reachable from `ref`, newest first, as last fetched.
  public func history(ref: String? = nil, limit: Int = 20) async throws(GitSourceError)
    -> [CommitInfo]
  {
    try await BlockingWork.run(on: cacheDirectory.path) { () throws(GitSourceError) in
      let repository = try openCache()
      let start = try RevisionResolver.cache(repository).resolve(ref)
      return try CommitHistory(repository: repository).commits(from: start, limit: limit)
    }
  }

  // MARK: - Blocking work, on the cache's queue

  private func fetchBlocking(
    ref: String?, progress: (@Sendable (TransferProgress) -> Void)?
  ) throws(GitSourceError) -> FetchResult {
    if remote.isSSH && !LibGit2.supportsSSH { throw .sshNotSupported(url: remote.display) }
    let redactor = Redactor(credentials: credentials, url: remote)
    let existing: RepositoryHandle?
    do throws(GitSourceError) {
      existing = try openCacheIfPresent()
    } catch .notARepository {
      // A cache directory that is no repository (an interrupted first fetch, say) is rebuilt.
      try? FileManager.default.removeItem(at: cacheDirectory)
      existing = nil
    }
    let repository: RepositoryHandle
    if let existing { repository = existing } else { repository = try createCache() }
    let transfer: TransferProgress
    do throws(GitSourceError) {
      transfer = try runFetch(in: repository, progress: progress)
    } catch {
      let error = redactor.scrub(error)
      if case .unreachable(_, let detail) = error, existing != nil,
        let oid = try? RevisionResolver.cache(repository).resolve(ref)
      {
        return FetchResult(
          url: remote.display, ref: ref, commit: try repository.commitInfo(oid), isOffline: true,
          offlineReason: detail, fetchedAt: Self.lastFetched(repository),
          transfer: TransferProgress())
      }
      // A first fetch that failed leaves no half-made cache behind.
      if existing == nil { try? FileManager.default.removeItem(at: cacheDirectory) }
      throw error
    }
    let now = Date()
    Self.recordFetch(repository, at: now)
    let oid = try RevisionResolver.cache(repository).resolve(ref)
    return FetchResult(
      url: remote.display, ref: ref, commit: try repository.commitInfo(oid), isOffline: false,
      offlineReason: nil, fetchedAt: now, transfer: transfer)
  }

  private func runFetch(
    in repository: RepositoryHandle, progress: (@Sendable (TransferProgress) -> Void)?
  ) throws(GitSourceError) -> TransferProgress {
    var remoteHandle: OpaquePointer?
    try LibGit2.check(
      git_remote_lookup(&remoteHandle, repository.pointer, Self.remoteName),
      "opening the cache of \(remote.display)")
    defer { git_remote_free(remoteHandle) }

    let session = FetchSession(
      credentials: credentials, url: remote, insecureSkipTLSVerify: insecureSkipTLSVerify,
      progress: progress)
    var options = git_fetch_options()
    git_fetch_options_init(&options, 1)  // GIT_FETCH_OPTIONS_VERSION
    options.prune = GIT_FETCH_PRUNE  // a deleted branch must not keep resolving
    options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE  // the tags refspec fetches them all
    session.install(into: &options.callbacks)

    let code = withExtendedLifetime(session) {
      git_remote_fetch(remoteHandle, nil, &options, "wavesync: fetch")
    }
    if code < 0 {
      throw FetchFailure.classify(code: code, session: session, url: remote.display)
    }
    updateRemoteHead(repository, remoteHandle!)
    return TransferProgress(git_remote_stats(remoteHandle)!.pointee)
  }

  /// Points `refs/remotes/origin/HEAD` at the remote's default branch, as `git clone` does.
  private func updateRemoteHead(_ repository: RepositoryHandle, _ remoteHandle: OpaquePointer) {
    var buffer = git_buf()
    defer { git_buf_dispose(&buffer) }
    guard git_remote_default_branch(&buffer, remoteHandle) == 0, let name = buffer.ptr else {
      return
    }
    let branch = String(cString: name)
    guard branch.hasPrefix("refs/heads/") else { return }
    let target = "refs/remotes/\(Self.remoteName)/" + branch.dropFirst("refs/heads/".count)
    var reference: OpaquePointer?
    if git_reference_symbolic_create(
      &reference, repository.pointer, "refs/remotes/\(Self.remoteName)/HEAD", target, 1,
      "wavesync: remote HEAD") == 0
    {
      git_reference_free(reference)
    }
  }

  private func openCacheIfPresent() throws(GitSourceError) -> RepositoryHandle? {
    guard FileManager.default.fileExists(atPath: cacheDirectory.path) else { return nil }
    return try RepositoryHandle.open(path: cacheDirectory.path, displayName: remote.display)
  }

  private func openCache() throws(GitSourceError) -> RepositoryHandle {
    guard let repository = try openCacheIfPresent() else {
      throw .notCached(url: remote.display)
    }
    return repository
  }

  private func createCache() throws(GitSourceError) -> RepositoryHandle {
    do {
      try FileManager.default.createDirectory(
        at: cacheDirectory.deletingLastPathComponent(), withIntermediateDirectories: true)
    } catch {
      throw .notADirectory(path: cacheDirectory.deletingLastPathComponent().path)
    }
    let repository = try RepositoryHandle.initBare(
      path: cacheDirectory.path, displayName: remote.display)
    var remoteHandle: OpaquePointer?
    try LibGit2.check(
      git_remote_create_with_fetchspec(
        &remoteHandle, repository.pointer, Self.remoteName, remote.connection, Self.refspecs[0]),
      "configuring the cache of \(remote.display)")
    git_remote_free(remoteHandle)
    for refspec in Self.refspecs.dropFirst() {
      try LibGit2.check(
        git_remote_add_fetch(repository.pointer, Self.remoteName, refspec),
        "configuring the cache of \(remote.display)")
    }
    return repository
  }

  private static func recordFetch(_ repository: RepositoryHandle, at date: Date) {
    var config: OpaquePointer?
    guard git_repository_config(&config, repository.pointer) == 0 else { return }
    defer { git_config_free(config) }
    _ = git_config_set_int64(config, fetchedAtKey, Int64(date.timeIntervalSince1970))
  }

  private static func lastFetched(_ repository: RepositoryHandle) -> Date? {
    var config: OpaquePointer?
    guard git_repository_config_snapshot(&config, repository.pointer) == 0 else { return nil }
    defer { git_config_free(config) }
    var seconds: Int64 = 0
    guard git_config_get_int64(&seconds, config, fetchedAtKey) == 0 else { return nil }
    return Date(timeIntervalSince1970: TimeInterval(seconds))
  }
}
