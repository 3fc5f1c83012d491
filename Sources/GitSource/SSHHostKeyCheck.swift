import CGit2
import Foundation

/// Whether to trust an SSH server's host key, decided in libgit2's certificate callback.
///
/// What libgit2 1.5 (with libssh2) does on its own: it looks the host key up in
/// `$HOME/.ssh/known_hosts` (as `[host]:port` for a port other than 22) and, without a
/// certificate callback, refuses any key not listed there with `GIT_ECERTIFICATE` ("invalid or
/// unknown remote ssh hostkey"); it never accepts an unknown host by itself. With a callback it
/// passes that verdict as `valid` and lets the callback decide, so the callback must not accept
/// blindly.
///
/// This check keeps libgit2's verdict and adds the known-hosts file from the credentials
/// (`ssh-known-hosts`), read the way OpenSSH reads one: comma-separated host patterns with `*`,
/// `?` and `!` negation, `[host]:port` for other ports, and `@revoked` lines. A key is trusted
/// when a line for the host has the same key, or libgit2 found it in `~/.ssh/known_hosts`. It
/// is refused when it is revoked, or when a line of the file has a different key of the same
/// type for the host (changed: someone may be in between), whatever `~/.ssh/known_hosts` says;
/// and of course when neither file lists it. Hashed host names (`|1|…`, `ssh-keygen -H`) and
/// `@cert-authority` lines are not understood and never match.
struct SSHHostKeyCheck {
  /// The server's key as the SSH protocol encodes it (the base64-decoded `known_hosts` field).
  var key: [UInt8]
  /// `SHA256:<base64>`, as `ssh-keygen -l` shows it; empty when libssh2 gave no SHA-256 hash.
  var fingerprint: String
  /// `host`, or `[host]:port` when the port is not 22: the name `known_hosts` lists it under.
  var hostName: String
  /// The key was in `~/.ssh/known_hosts`.
  var knownToLibgit2: Bool

  enum Verdict: Equatable {
    case trusted
    /// Refused, with a message for the user.
    case refused(String)
  }

  init?(_ cert: UnsafeMutablePointer<git_cert>, host: String, port: Int, valid: Bool) {
    guard cert.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2 else { return nil }
    let hostKey = cert.withMemoryRebound(to: git_cert_hostkey.self, capacity: 1) { $0.pointee }
    let types = hostKey.type.rawValue
    if types & GIT_CERT_SSH_RAW.rawValue != 0, let raw = hostKey.hostkey {
      key = Array(UnsafeRawBufferPointer(start: raw, count: hostKey.hostkey_len))
    } else {
      key = []
    }
    if types & GIT_CERT_SSH_SHA256.rawValue != 0 {
      let hash = withUnsafeBytes(of: hostKey.hash_sha256) { Data($0) }
      let base64 = hash.base64EncodedString()
      fingerprint = "SHA256:" + base64.prefix { $0 != "=" }
    } else {
      fingerprint = ""
    }
    let lowered = host.lowercased()
    hostName = port == 22 ? lowered : "[\(lowered)]:\(port)"
    knownToLibgit2 = valid
  }

  /// The key's algorithm, read from the key itself (`ssh-ed25519`, `ssh-rsa`, …).
  var keyType: String { Self.keyType(of: key[...]) ?? "unknown key type" }

  func verdict(knownHostsFile: String?) -> Verdict {
    let shown = "\(hostName) (\(keyType) \(fingerprint))"
    var lines: [KnownHostLine] = []
    if let knownHostsFile {
      guard let text = try? String(contentsOfFile: knownHostsFile, encoding: .utf8) else {
        return .refused("cannot read the SSH known hosts file \(knownHostsFile)")
      }
      lines = text.split(whereSeparator: \.isNewline).compactMap(KnownHostLine.init)
    }
    let forHost = lines.filter { $0.matches(hostName) }
    if forHost.contains(where: { $0.isRevoked && $0.key == key }) {
      return .refused("the SSH host key of \(shown) is marked @revoked in \(knownHostsFile!)")
    }
    let plain = forHost.filter { !$0.isRevoked && !$0.isCertificateAuthority }
    if plain.contains(where: { $0.key == key }) { return .trusted }
    // A different key of the same type for this host wins over ~/.ssh/known_hosts.
    if plain.contains(where: { Self.keyType(of: $0.key[...]) == keyType }) {
      return .refused(
        "the SSH host key of \(shown) does not match the one in \(knownHostsFile!): "
          + "the key changed or someone is intercepting the connection")
    }
    if knownToLibgit2 { return .trusted }
    let files = ["~/.ssh/known_hosts"] + (knownHostsFile.map { [$0] } ?? [])
    var message =
      "unknown SSH host key for \(shown): not in \(files.joined(separator: " or "))"
    if knownHostsFile == nil {
      message += "; give a known hosts file as ssh-known-hosts in the credentials"
    } else if lines.contains(where: \.isHashed) {
      message += " (hashed host names, |1|…, are not read: list the host name in clear)"
    }
    return .refused(message)
  }

  /// The algorithm name a key blob starts with: a big-endian length, then that many bytes.
  static func keyType(of blob: ArraySlice<UInt8>) -> String? {
    guard blob.count >= 4 else { return nil }
    let start = blob.startIndex
    let length = blob[start..<start + 4].reduce(0) { $0 << 8 | Int($1) }
    guard length > 0, length <= blob.count - 4 else { return nil }
    return String(decoding: blob[(start + 4)..<(start + 4 + length)], as: UTF8.self)
  }

  /// The port of an SSH remote: the one in an `ssh://host:port/` URL, else 22.
  static func port(ofSSHRemote connection: String) -> Int {
    guard let schemeEnd = connection.range(of: "://") else { return 22 }
    let rest = connection[schemeEnd.upperBound...]
    var authority = rest[..<(rest.firstIndex(of: "/") ?? rest.endIndex)]
    if let at = authority.lastIndex(of: "@") {
      authority = authority[authority.index(after: at)...]
    }
    // After an IPv6 literal's closing bracket, or anywhere in a name or IPv4 address.
    let afterHost = authority.lastIndex(of: "]").map { authority[$0...] } ?? authority
    guard let colon = afterHost.lastIndex(of: ":") else { return 22 }
    return Int(afterHost[afterHost.index(after: colon)...]) ?? 22
  }
}

/// One line of an OpenSSH `known_hosts` file: `[@marker] patterns keytype base64-key [comment]`.
struct KnownHostLine {
  var patterns: [Substring]
  var key: [UInt8]
  var isRevoked = false
  var isCertificateAuthority = false

  init?(_ line: Substring) {
    var fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
    guard let first = fields.first, !first.hasPrefix("#") else { return nil }
    if first == "@revoked" || first == "@cert-authority" {
      isRevoked = first == "@revoked"
      isCertificateAuthority = !isRevoked
      fields.removeFirst()
    }
    guard fields.count >= 3, let key = Data(base64Encoded: String(fields[2])), !key.isEmpty
    else { return nil }
    patterns = fields[0].split(separator: ",")
    self.key = Array(key)
  }

  var isHashed: Bool { patterns.contains { $0.hasPrefix("|") } }

  /// OpenSSH's rule: some pattern matches and no negated (`!`) pattern does.
  func matches(_ hostName: String) -> Bool {
    var matched = false
    for pattern in patterns {
      let negated = pattern.hasPrefix("!")
      let glob = (negated ? pattern.dropFirst() : pattern).lowercased()
      guard Self.glob(Array(glob.utf8)[...], matches: Array(hostName.utf8)[...]) else { continue }
      if negated { return false }
      matched = true
    }
    return matched
  }

  /// `*` is any run of bytes, `?` any one byte; everything else matches itself.
  static func glob(_ pattern: ArraySlice<UInt8>, matches text: ArraySlice<UInt8>) -> Bool {
    guard let first = pattern.first else { return text.isEmpty }
    switch first {
    case UInt8(ascii: "*"):
      let rest = pattern.dropFirst()
      return text.indices.contains { glob(rest, matches: text[$0...]) }
        || glob(rest, matches: text[text.endIndex...])
    case UInt8(ascii: "?"):
      return !text.isEmpty && glob(pattern.dropFirst(), matches: text.dropFirst())
    default:
      return text.first == first && glob(pattern.dropFirst(), matches: text.dropFirst())
    }
  }
}
