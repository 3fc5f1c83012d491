import CGit2
import Foundation

/// The state libgit2's C callbacks need during one fetch, passed to them as the payload pointer.
///
/// Only the thread running `git_remote_fetch` touches it, so it needs no lock and is not
/// Sendable. The callbacks are non-throwing closures: no Swift error can unwind through C.
final class FetchSession {
  let credentials: GitCredentials?
  let url: RemoteURL
  let insecureSkipTLSVerify: Bool
  let progress: (@Sendable (TransferProgress) -> Void)?

  /// Secret-bearing credentials handed to libgit2 so far.
  private(set) var secretAttempts = 0
  /// libgit2 asked again after we gave credentials: the server refused them.
  private(set) var credentialsRejected = false
  /// libgit2 asked for a kind of credentials we do not have.
  private(set) var credentialsMissing = false

  init(
    credentials: GitCredentials?, url: RemoteURL, insecureSkipTLSVerify: Bool,
    progress: (@Sendable (TransferProgress) -> Void)?
  ) {
    self.credentials = credentials
    self.url = url
    self.insecureSkipTLSVerify = insecureSkipTLSVerify
    self.progress = progress
  }

  /// Fills libgit2's callback table; `self` must outlive the fetch that uses `callbacks`.
  func install(into callbacks: inout git_remote_callbacks) {
    callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
    callbacks.credentials = { out, _, usernameFromURL, allowedTypes, payload in
      guard let out, let payload else { return GIT_EUSER.rawValue }
      let session = Unmanaged<FetchSession>.fromOpaque(payload).takeUnretainedValue()
      return session.acquireCredential(
        out, usernameFromURL: usernameFromURL.map { String(cString: $0) }, allowed: allowedTypes)
    }
    callbacks.transfer_progress = { stats, payload in
      guard let stats, let payload else { return 0 }
      let session = Unmanaged<FetchSession>.fromOpaque(payload).takeUnretainedValue()
      session.progress?(TransferProgress(stats.pointee))
      return 0
    }
    if insecureSkipTLSVerify || url.isSSH {
      // TLS: only when the caller opted in, accept any certificate; otherwise no callback is set
      // and libgit2 rejects certificates it cannot verify. SSH host keys are always checked.
      callbacks.certificate_check = { cert, valid, host, payload in
        guard let cert, let payload else { return GIT_ECERTIFICATE.rawValue }
        let session = Unmanaged<FetchSession>.fromOpaque(payload).takeUnretainedValue()
        return session.checkCertificate(
          cert, valid: valid != 0, host: host.map { String(cString: $0) } ?? "")
      }
    }
  }

  /// The SSH known-hosts file the credentials name, if any.
  private var knownHostsFile: String? {
    if case .sshKey(_, _, _, _, let knownHosts) = credentials { return knownHosts }
    return nil
  }

  /// SSH host keys: see `SSHHostKeyCheck`; `insecureSkipTLSVerify` does not cover them.
  /// Anything else is a TLS certificate, only seen here when the caller opted out of checking.
  private func checkCertificate(
    _ cert: UnsafeMutablePointer<git_cert>, valid: Bool, host: String
  ) -> Int32 {
    let port = SSHHostKeyCheck.port(ofSSHRemote: url.connection)
    guard let check = SSHHostKeyCheck(cert, host: host, port: port, valid: valid) else {
      return insecureSkipTLSVerify ? 0 : GIT_PASSTHROUGH.rawValue
    }
    switch check.verdict(knownHostsFile: knownHostsFile) {
    case .trusted:
      return 0
    case .refused(let message):
      git_error_set_str(Int32(GIT_ERROR_SSH.rawValue), message)
      return GIT_ECERTIFICATE.rawValue
    }
  }

  private func acquireCredential(
    _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>, usernameFromURL: String?,
    allowed: UInt32
  ) -> Int32 {
    let allows = { (type: git_credential_t) in allowed & type.rawValue != 0 }
    let effective =
      credentials
      ?? url.embeddedPassword.map {
        .password(username: url.embeddedUsername ?? "git", password: GitSecret($0))
      }
    // libgit2 calls again when the server refused what we sent; asking forever would loop.
    if secretAttempts > 0 && !allows(GIT_CREDENTIAL_USERNAME) {
      credentialsRejected = true
      return GIT_EUSER.rawValue
    }
    switch effective {
    case .sshKey(let username, let privateKey, let publicKey, let passphrase, _):
      let user = username ?? usernameFromURL ?? url.embeddedUsername ?? "git"
      if allows(GIT_CREDENTIAL_USERNAME) { return git_credential_username_new(out, user) }
      if allows(GIT_CREDENTIAL_SSH_KEY) {
        secretAttempts += 1
        return git_credential_ssh_key_new(
          out, user, publicKey ?? Self.defaultPublicKey(for: privateKey), privateKey,
          passphrase?.value)
      }
    case .password(let username, let password):
      if allows(GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
        secretAttempts += 1
        return git_credential_userpass_plaintext_new(out, username, password.value)
      }
    case .token(let token, let username):
      if allows(GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
        secretAttempts += 1
        return git_credential_userpass_plaintext_new(
          out, username ?? "x-access-token", token.value)
      }
    case nil:
      break
    }
    credentialsMissing = true
    return GIT_EUSER.rawValue
  }

  private static func defaultPublicKey(for privateKey: String) -> String? {
    let candidate = privateKey + ".pub"
    return FileManager.default.isReadableFile(atPath: candidate) ? candidate : nil
  }
}

extension TransferProgress {
  init(_ stats: git_indexer_progress) {
    self.init(
      totalObjects: Int(stats.total_objects), indexedObjects: Int(stats.indexed_objects),
      receivedObjects: Int(stats.received_objects), localObjects: Int(stats.local_objects),
      receivedBytes: Int(stats.received_bytes))
  }
}
