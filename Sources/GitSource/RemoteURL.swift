import Foundation

/// A remote as the user wrote it, split into what libgit2 connects to and what messages show.
struct RemoteURL: Sendable, Hashable {
  /// What libgit2 connects to and what the cache's config stores: any password removed.
  let connection: String
  /// For messages: no userinfo at all.
  let display: String
  let embeddedUsername: String?
  /// A password written into the URL; used as credentials, never stored or shown.
  let embeddedPassword: String?
  let isSSH: Bool

  init(_ raw: String) {
    if let schemeEnd = raw.range(of: "://") {
      let scheme = raw[..<schemeEnd.lowerBound].lowercased()
      let rest = raw[schemeEnd.upperBound...]
      let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
      let authority = rest[..<authorityEnd]
      let path = rest[authorityEnd...]
      let prefix = raw[..<schemeEnd.upperBound]
      var user: String?
      var password: String?
      var host = Substring(authority)
      if let at = authority.lastIndex(of: "@") {
        let userinfo = authority[..<at]
        host = authority[authority.index(after: at)...]
        if let colon = userinfo.firstIndex(of: ":") {
          user = String(userinfo[..<colon])
          password = String(userinfo[userinfo.index(after: colon)...])
        } else {
          user = String(userinfo)
        }
      }
      let userPart = user.map { $0 + "@" } ?? ""
      connection = "\(prefix)\(userPart)\(host)\(path)"
      display = "\(prefix)\(host)\(path)"
      embeddedUsername = user.map { $0.removingPercentEncoding ?? $0 }
      embeddedPassword = password.map { $0.removingPercentEncoding ?? $0 }
      isSSH = ["ssh", "ssh+git", "git+ssh"].contains(scheme)
    } else if let scp = Self.scpLike(raw) {
      // `user@host:path`, Git's short SSH form; the user is not a secret but not shown either.
      connection = raw
      display = "\(scp.host):\(scp.path)"
      embeddedUsername = scp.user
      embeddedPassword = nil
      isSSH = true
    } else {
      connection = raw
      display = raw
      embeddedUsername = nil
      embeddedPassword = nil
      isSSH = false
    }
  }

  /// Git reads `[user@]host:path` as SSH when no `/` comes before the first `:`.
  private static func scpLike(_ raw: String) -> (user: String?, host: Substring, path: Substring)? {
    guard let colon = raw.firstIndex(of: ":") else { return nil }
    let before = raw[..<colon]
    guard !before.isEmpty, !before.contains("/") else { return nil }
    let path = raw[raw.index(after: colon)...]
    if let at = before.lastIndex(of: "@") {
      return (String(before[..<at]), before[before.index(after: at)...], path)
    }
    return (nil, before, path)
  }

  /// Whether `repo` names a remote rather than a path on this machine.
  static func isRemote(_ repo: String) -> Bool {
    repo.contains("://") || (scpLike(repo) != nil && !FileManager.default.fileExists(atPath: repo))
  }

  /// A directory name for this remote's cache: readable slug plus a hash of the connection URL.
  var cacheDirectoryName: String {
    let last = display.split(whereSeparator: { $0 == "/" || $0 == ":" }).last.map(String.init) ?? ""
    let base = last.hasSuffix(".git") ? String(last.dropLast(4)) : last
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    let slug = String(base.filter { allowed.contains($0) }.prefix(40))
    let hash = LibGit2.sha1Hex(Data(connection.utf8)).prefix(16)
    return (slug.isEmpty ? "" : slug + "-") + hash + ".git"
  }
}

/// Replaces known secrets in text that did not come from us (libgit2 messages, server replies).
struct Redactor: Sendable {
  var secrets: [String]

  init(credentials: GitCredentials?, url: RemoteURL) {
    secrets = (credentials?.secrets ?? []) + (url.embeddedPassword.map { [$0] } ?? [])
    secrets = secrets.filter { !$0.isEmpty }
  }

  func scrub(_ text: String) -> String {
    secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: "<redacted>") }
  }

  func scrub(_ error: GitSourceError) -> GitSourceError {
    switch error {
    case .unreachable(let url, let detail): .unreachable(url: url, detail: scrub(detail))
    case .libgit2(let code, let klass, let message):
      .libgit2(code: code, klass: klass, message: scrub(message))
    default: error
    }
  }
}
