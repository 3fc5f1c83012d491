public import Foundation

/// How to authenticate to a remote. Secrets are `GitSecret`s, so printing a credentials value
/// (in any way) shows user names and key paths but never a password, token or passphrase.
public enum GitCredentials: Sendable, Hashable, CustomStringConvertible,
  CustomDebugStringConvertible
{
  /// HTTP(S) basic authentication.
  case password(username: String, password: GitSecret)
  /// An access token, sent as the basic-auth password with any user name (GitHub and GitLab
  /// accept that); the user name defaults to `x-access-token`.
  case token(GitSecret, username: String? = nil)
  /// An SSH key pair on disk. The user defaults to the one in the URL, then `git`; the public
  /// key defaults to `<privateKey>.pub` when that file exists.
  ///
  /// The server's host key must be known: listed in `~/.ssh/known_hosts` (libgit2 reads that
  /// file itself) or in `knownHosts`, a file in OpenSSH's `known_hosts` format (what
  /// `ssh-keyscan` prints). An unknown or changed host key fails the fetch. See `SSHHostKeyCheck`.
  case sshKey(
    username: String?, privateKey: String, publicKey: String?, passphrase: GitSecret?,
    knownHosts: String? = nil)

  public static func basic(username: String, password: String) -> Self {
    .password(username: username, password: GitSecret(password))
  }

  public var description: String {
    switch self {
    case .password(let username, _): "password credentials for user \(username)"
    case .token(_, let username): "token credentials" + (username.map { " for user \($0)" } ?? "")
    case .sshKey(let username, let privateKey, _, let passphrase, let knownHosts):
      "SSH key \(privateKey)" + (username.map { " for user \($0)" } ?? "")
        + (passphrase == nil ? "" : " (with passphrase)")
        + (knownHosts.map { ", known hosts \($0)" } ?? "")
    }
  }

  public var debugDescription: String { "GitCredentials(\(description))" }

  /// The secret strings, so messages coming from libgit2 can be scrubbed of them.
  var secrets: [String] {
    switch self {
    case .password(_, let password): [password.value]
    case .token(let token, _): [token.value]
    case .sshKey(_, _, _, let passphrase, _): passphrase.map { [$0.value] } ?? []
    }
  }
}

extension GitCredentials {
  /// Reads credentials from environment variables named `<prefix>_<KEY>`, with the keys of
  /// `fromFile(_:)` upper-cased and `-` as `_`: `WAVESYNC_GIT_USERNAME`, `WAVESYNC_GIT_PASSWORD`,
  /// `WAVESYNC_GIT_TOKEN`, `WAVESYNC_GIT_SSH_KEY`, `WAVESYNC_GIT_SSH_PUBLIC_KEY`,
  /// `WAVESYNC_GIT_SSH_PASSPHRASE`, `WAVESYNC_GIT_SSH_KNOWN_HOSTS`. Returns `nil` when none of
  /// them is set.
  public static func fromEnvironment(
    prefix: String = "WAVESYNC_GIT",
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(GitSourceError) -> GitCredentials? {
    var fields: [String: String] = [:]
    for key in CredentialFields.keys {
      let name = prefix + "_" + key.uppercased().replacingOccurrences(of: "-", with: "_")
      if let value = environment[name], !value.isEmpty { fields[key] = value }
    }
    if fields.isEmpty { return nil }
    return try CredentialFields(fields, source: "environment variables \(prefix)_*").credentials()
  }

  /// Reads a credentials file of `key=value` lines (the format `git credential` speaks):
  ///
  ///     # comments and blank lines are ignored; spaces around keys and values are trimmed
  ///     username=deploy
  ///     password=…            (or token=…)
  ///     ssh-key=/etc/wavesync/id_ed25519
  ///     ssh-public-key=/etc/wavesync/id_ed25519.pub   (optional)
  ///     ssh-passphrase=…                              (optional)
  ///     ssh-known-hosts=/etc/wavesync/known_hosts     (optional)
  ///
  /// `ssh-known-hosts` names a file of trusted SSH host keys in OpenSSH's format, read in
  /// addition to `~/.ssh/known_hosts`.
  ///
  /// `ssh-key` wins over `token`, which wins over `password` (which needs `username`).
  public static func fromFile(_ path: String) throws(GitSourceError) -> GitCredentials {
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw .invalidCredentials(reason: "cannot read credentials file \(path)")
    }
    var fields: [String: String] = [:]
    for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false)
      .enumerated()
    {
      let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
      if line.isEmpty || line.hasPrefix("#") { continue }
      // Only the key and line number go into the error: the line may hold a secret.
      guard let equals = line.firstIndex(of: "=") else {
        throw .invalidCredentials(reason: "\(path):\(index + 1): expected key=value")
      }
      let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
      guard CredentialFields.keys.contains(key) else {
        throw .invalidCredentials(
          reason: "\(path):\(index + 1): unknown key (not quoted: it may be a secret)")
      }
      fields[key] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
    }
    return try CredentialFields(fields, source: path).credentials()
  }
}

extension GitCredentials {
  /// Credentials from the fields of a Secret, with the keys of `fromFile(_:)` (`ssh-key` and
  /// `ssh-known-hosts` are paths of files the caller wrote the Secret's data to). `source` names
  /// the Secret in errors; no value is ever quoted. Returns `nil` when no field is set.
  public static func fromFields(_ fields: [String: String], source: String)
    throws(GitSourceError) -> GitCredentials?
  {
    let known = fields.filter { CredentialFields.keys.contains($0.key) && !$0.value.isEmpty }
    if known.isEmpty { return nil }
    return try CredentialFields(known, source: source).credentials()
  }
}

/// The fields shared by the file and environment forms, and how they combine.
private struct CredentialFields {
  static let keys = [
    "username", "password", "token", "ssh-key", "ssh-public-key", "ssh-passphrase",
    "ssh-known-hosts",
  ]

  var fields: [String: String]
  var source: String

  init(_ fields: [String: String], source: String) {
    self.fields = fields.filter { !$0.value.isEmpty }
    self.source = source
  }

  func credentials() throws(GitSourceError) -> GitCredentials {
    let username = fields["username"]
    if let key = fields["ssh-key"] {
      return .sshKey(
        username: username, privateKey: key, publicKey: fields["ssh-public-key"],
        passphrase: fields["ssh-passphrase"].map(GitSecret.init),
        knownHosts: fields["ssh-known-hosts"])
    }
    if fields["ssh-known-hosts"] != nil {
      throw .invalidCredentials(reason: "\(source): ssh-known-hosts needs ssh-key")
    }
    if let token = fields["token"] { return .token(GitSecret(token), username: username) }
    if let password = fields["password"] {
      guard let username else {
        throw .invalidCredentials(reason: "\(source): a password needs a username")
      }
      return .password(username: username, password: GitSecret(password))
    }
    throw .invalidCredentials(reason: "\(source): no password, token or ssh-key given")
  }
}
