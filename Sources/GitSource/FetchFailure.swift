import CGit2

/// Sorts a failed fetch into what the caller must do about it: wrong credentials, a remote that
/// cannot be reached (the cache may serve), or anything else.
enum FetchFailure {
  static func classify(code: Int32, session: FetchSession, url: String) -> GitSourceError {
    let (klass, message) = LibGit2.lastError(code: code)
    if session.credentialsRejected || code == GIT_EAUTH.rawValue {
      return .authenticationFailed(url: url)
    }
    if session.credentialsMissing { return .credentialsRequired(url: url) }
    if code != GIT_ECERTIFICATE.rawValue && isUnreachable(klass: klass, message: message) {
      return .unreachable(url: url, detail: message)
    }
    return .libgit2(code: code, klass: klass, message: "fetching \(url): \(message)")
  }

  private static let networkClasses: Set<Int32> = [
    Int32(GIT_ERROR_OS.rawValue), Int32(GIT_ERROR_NET.rawValue), Int32(GIT_ERROR_SSL.rawValue),
    Int32(GIT_ERROR_SSH.rawValue), Int32(GIT_ERROR_HTTP.rawValue),
  ]

  /// Message fragments libgit2 and the OS use when the other end is not there.
  private static let unreachableSigns = [
    "failed to connect", "connection refused", "failed to resolve", "could not resolve",
    "name or service not known", "temporary failure in name resolution", "timed out",
    "network is unreachable", "no route to host", "connection reset", "early eof",
    "connection closed", "unexpected eof", "failed to start ssh session", "broken pipe",
    "unexpected http status code: 502", "unexpected http status code: 503",
    "unexpected http status code: 504",
  ]

  static func isUnreachable(klass: Int32, message: String) -> Bool {
    guard networkClasses.contains(klass) else { return false }
    let text = message.lowercased()
    return unreachableSigns.contains { text.contains($0) }
  }
}
