import Foundation
import GitSource
import Testing
import WavesyncTesting

/// Fetching over SSH from a real OpenSSH server on loopback (`SSHGitServer`), with the key
/// kinds a deployment uses, and the ways it must fail: refused keys and unknown host keys.
///
/// The server tests need libgit2 built with libssh2 (Debian's is); without it they are skipped,
/// and the closed-port test checks the `sshNotSupported` error instead.
@Suite("SSH transport")
struct SSHTransportTests {
  @Test func closedPortIsUnreachableNotACrash() async throws {
    let temp = try TemporaryDirectory()
    let keyFile = temp.appending("credentials")
    try "ssh-key=\(temp.path)/id_ed25519\nssh-passphrase=pass-phrase-secret\n"
      .write(to: keyFile, atomically: true, encoding: .utf8)
    let credentials = try GitCredentials.fromFile(keyFile.path)
    #expect(
      credentials
        == .sshKey(
          username: nil, privateKey: "\(temp.path)/id_ed25519", publicKey: nil,
          passphrase: GitSecret("pass-phrase-secret")))

    let port = try LoopbackPort.free()
    let url = "ssh://git@127.0.0.1:\(port)/fleet.git"
    let mirror = GitMirror(url: url, cacheRoot: temp.appending("cache"), credentials: credentials)
    let error = await #expect(throws: GitSourceError.self) { try await mirror.fetch() }
    let shown = "ssh://127.0.0.1:\(port)/fleet.git"
    if GitMirror.sshSupported {
      guard case .unreachable(let reported, _)? = error else {
        Issue.record("expected unreachable, got \(String(describing: error))")
        return
      }
      #expect(reported == shown)
    } else {
      #expect(error == .sshNotSupported(url: shown))
    }
    #expect(!"\(error!)".contains("pass-phrase-secret"))
  }

  /// The credentials file form, then an incremental fetch that brings only the new objects.
  @Test(.needsSSH) func clonesThenFetchesIncrementallyWithAKey() async throws {
    let temp = try TemporaryDirectory()
    let (repo, first) = try FleetFixture.make(in: temp)
    let server = try await SSHGitServer(
      basePath: temp.appending("served").path, workDirectory: temp.url)
    defer { server.stop() }
    let file = temp.appending("credentials")
    try "ssh-key=\(server.clientKey.path)\nssh-known-hosts=\(server.knownHostsFile.path)\n"
      .write(to: file, atomically: true, encoding: .utf8)
    let mirror = GitMirror(
      url: server.url(for: "fleet"), cacheRoot: temp.appending("cache"),
      credentials: try GitCredentials.fromFile(file.path))
    #expect(mirror.url == "ssh://127.0.0.1:\(server.port)\(temp.appending("served/fleet").path)")

    let clone = try await mirror.fetch(ref: "main")
    #expect(clone.commit.id == first, "log: \(server.log)")
    #expect(!clone.isOffline)
    #expect(clone.transfer.receivedObjects > 0)
    let snapshot = try await mirror.snapshot(ref: "main")
    #expect(try snapshot.tree.text(of: "clusters/edge-1/app.yaml") == FleetFixture.appYAML)
    #expect(try await mirror.fetch().commit.id == first, "HEAD is the default branch")

    try repo.write("clusters/edge-1/config/values.yaml", "replicas: 3\n")
    let second = try repo.commit("Scale edge-1")
    let update = try await mirror.fetch(ref: "main")
    #expect(update.commit.id == second)
    #expect(update.commit.parentIDs == [first])
    // New objects only: the commit, the trees root, clusters, edge-1, config, and one blob.
    #expect(update.transfer.receivedObjects == 6)
    let updated = try await mirror.snapshot(ref: "main")
    #expect(try updated.tree.text(of: "clusters/edge-1/config/values.yaml") == "replicas: 3\n")
    #expect(try await mirror.fetch(ref: "main").transfer.receivedObjects == 0)
    #expect(server.log.contains("Accepted publickey for \(server.user)"))
  }

  /// No user in the URL: libgit2 asks the credential callback for one first.
  @Test(.needsSSH) func takesTheUserFromTheCredentials() async throws {
    let temp = try TemporaryDirectory()
    let (_, commit) = try FleetFixture.make(in: temp)
    let server = try await SSHGitServer(
      basePath: temp.appending("served").path, workDirectory: temp.url)
    defer { server.stop() }
    let url = server.url(for: "fleet").replacingOccurrences(of: "\(server.user)@", with: "")
    let mirror = GitMirror(
      url: url, cacheRoot: temp.appending("cache"),
      credentials: .sshKey(
        username: server.user, privateKey: server.clientKey.path, publicKey: nil,
        passphrase: nil, knownHosts: server.knownHostsFile.path))
    #expect(try await mirror.fetch(ref: "main").commit.id == commit, "log: \(server.log)")
  }

  @Test(.needsSSH) func passphraseProtectedKey() async throws {
    let temp = try TemporaryDirectory()
    let (_, commit) = try FleetFixture.make(in: temp)
    let server = try await SSHGitServer(
      basePath: temp.appending("served").path, workDirectory: temp.url)
    defer { server.stop() }
    func mirror(
      passphrase: String?, privateKey: URL? = nil, publicKey: String? = nil, cache: String
    ) -> GitMirror {
      GitMirror(
        url: server.url(for: "fleet"), cacheRoot: temp.appending(cache),
        credentials: .sshKey(
          username: nil, privateKey: (privateKey ?? server.passphraseKey).path,
          publicKey: publicKey, passphrase: passphrase.map(GitSecret.init),
          knownHosts: server.knownHostsFile.path))
    }

    let unlocked = mirror(passphrase: server.passphrase, cache: "right")
    #expect(try await unlocked.fetch(ref: "main").commit.id == commit, "log: \(server.log)")
    // The public key named explicitly, as `ssh-public-key` does.
    let explicit = mirror(
      passphrase: server.passphrase,
      publicKey: SSHGitServer.publicKey(of: server.passphraseKey).path, cache: "explicit")
    #expect(try await explicit.fetch(ref: "main").commit.id == commit)
    // No `.pub` beside the key: libssh2 derives the public key from the decrypted private one.
    let alone = temp.appending("alone/id_ed25519_passphrase")
    try FileManager.default.createDirectory(
      at: alone.deletingLastPathComponent(), withIntermediateDirectories: true)
    try FileManager.default.copyItem(at: server.passphraseKey, to: alone)
    let derived = mirror(passphrase: server.passphrase, privateKey: alone, cache: "derived")
    #expect(try await derived.fetch(ref: "main").commit.id == commit)

    let wrongPassphrase = "not-the-ssh-passphrase-91"
    for (passphrase, cache) in [(wrongPassphrase, "wrong"), (nil, "none")] {
      let locked = mirror(passphrase: passphrase, cache: cache)
      let error = await #expect(throws: GitSourceError.self) { try await locked.fetch() }
      // libssh2 cannot decrypt the key to sign with it and reports that as a refused key.
      #expect(error == .authenticationFailed(url: locked.url), "log: \(server.log)")
      guard let error else { continue }
      try expectClean(
        error, of: [server.passphrase, wrongPassphrase], keys: [server.passphraseKey])
      #expect(!FileManager.default.fileExists(atPath: locked.cacheDirectory.path))
    }
  }

  @Test(.needsSSH) func unauthorizedKeyIsRefused() async throws {
    let temp = try TemporaryDirectory()
    _ = try FleetFixture.make(in: temp)
    let server = try await SSHGitServer(
      basePath: temp.appending("served").path, workDirectory: temp.url)
    defer { server.stop() }
    let strangerPassphrase = "stranger-passphrase-5d"
    let stranger = temp.appending("stranger_ed25519")
    try SSHGitServer.makeKey(at: stranger, passphrase: strangerPassphrase)
    let mirror = GitMirror(
      url: server.url(for: "fleet"), cacheRoot: temp.appending("cache"),
      credentials: .sshKey(
        username: nil, privateKey: stranger.path, publicKey: nil,
        passphrase: GitSecret(strangerPassphrase), knownHosts: server.knownHostsFile.path))

    let error = await #expect(throws: GitSourceError.self) { try await mirror.fetch() }
    #expect(error == .authenticationFailed(url: mirror.url), "log: \(server.log)")
    if let error { try expectClean(error, of: [strangerPassphrase], keys: [stranger]) }
    #expect(!server.log.contains("Accepted publickey"))
    #expect(!FileManager.default.fileExists(atPath: mirror.cacheDirectory.path))
  }

  /// libgit2 refuses a host key missing from `~/.ssh/known_hosts`; the known-hosts file in the
  /// credentials is the way to trust one, and the TLS opt-out does not cover host keys.
  @Test(.needsSSH) func unknownOrChangedHostKeyIsRefused() async throws {
    let temp = try TemporaryDirectory()
    _ = try FleetFixture.make(in: temp)
    let server = try await SSHGitServer(
      basePath: temp.appending("served").path, workDirectory: temp.url)
    defer { server.stop() }
    let hostName = "[127.0.0.1]:\(server.port)"
    let impostor = temp.appending("impostor_host_key")
    try SSHGitServer.makeKey(at: impostor)
    let impostorKey = try String(
      contentsOf: SSHGitServer.publicKey(of: impostor), encoding: .utf8
    ).split(separator: " ").prefix(2).joined(separator: " ")
    let changed = temp.appending("changed_known_hosts")
    try "# an old key of the same type\n\(hostName) \(impostorKey)\n"
      .write(to: changed, atomically: true, encoding: .utf8)
    let revoked = temp.appending("revoked_known_hosts")
    let serverLine = try String(contentsOf: server.knownHostsFile, encoding: .utf8)
    try (serverLine + "@revoked * " + serverLine.split(separator: " ", maxSplits: 1)[1])
      .write(to: revoked, atomically: true, encoding: .utf8)
    let otherPort = temp.appending("other_port_known_hosts")
    try (serverLine.replacingOccurrences(of: hostName, with: "127.0.0.1"))
      .write(to: otherPort, atomically: true, encoding: .utf8)

    let cases: [(knownHosts: String?, insecure: Bool, expected: String)] = [
      (nil, false, "unknown SSH host key for \(hostName) (ssh-ed25519 SHA256:"),
      (nil, true, "unknown SSH host key for \(hostName)"),
      (otherPort.path, false, "unknown SSH host key for \(hostName)"),
      (changed.path, false, "does not match the one in \(changed.path)"),
      (revoked.path, false, "is marked @revoked"),
      (temp.appending("missing").path, false, "cannot read the SSH known hosts file"),
    ]
    for (index, (knownHosts, insecure, expected)) in cases.enumerated() {
      let mirror = GitMirror(
        url: server.url(for: "fleet"), cacheRoot: temp.appending("cache-\(index)"),
        credentials: .sshKey(
          username: nil, privateKey: server.clientKey.path, publicKey: nil, passphrase: nil,
          knownHosts: knownHosts),
        insecureSkipTLSVerify: insecure)
      let error = await #expect(throws: GitSourceError.self) { try await mirror.fetch() }
      guard case .libgit2(let code, _, let message)? = error else {
        Issue.record("case \(index): expected a host key error, got \(String(describing: error))")
        continue
      }
      #expect(code == -17, "GIT_ECERTIFICATE, case \(index): \(message)")
      #expect(message.contains(expected), "case \(index): \(message)")
      #expect(message.contains(mirror.url))
    }
    #expect(!server.log.contains("Accepted publickey"), "no key was offered to an unknown host")

    // The fingerprint in the message is the one ssh-keygen shows.
    let fingerprint = try await CommandRunner.run(
      SSHGitServer.sshKeygen, ["-l", "-f", server.knownHostsFile.path]
    ).split(separator: " ")[1]
    let unknown = GitMirror(
      url: server.url(for: "fleet"), cacheRoot: temp.appending("cache-fingerprint"),
      credentials: .sshKey(
        username: nil, privateKey: server.clientKey.path, publicKey: nil, passphrase: nil))
    let error = await #expect(throws: GitSourceError.self) { try await unknown.fetch() }
    #expect("\(error.map { "\($0)" } ?? "")".contains(fingerprint))
  }

  /// An error must quote neither a passphrase nor any part of a key.
  private func expectClean(
    _ error: GitSourceError, of secrets: [String], keys: [URL]
  ) throws {
    var texts = [String(describing: error), String(reflecting: error), error.localizedDescription]
    var dumped = ""
    dump(error, to: &dumped)
    texts.append(dumped)
    var forbidden = secrets
    for key in keys {
      let privateKey = try String(contentsOf: key, encoding: .utf8)
      let publicKey = try String(
        contentsOf: SSHGitServer.publicKey(of: key), encoding: .utf8)
      // The base64 body of each (lines of the private key, the key field of the public one).
      forbidden += privateKey.split(separator: "\n").filter { !$0.hasPrefix("-----") }
        .map(String.init)
      forbidden.append(String(publicKey.split(separator: " ")[1]))
    }
    for text in texts {
      for secret in forbidden {
        #expect(!text.contains(secret), "leaked in: \(text)")
      }
    }
  }
}

extension Trait where Self == ConditionTrait {
  /// Skips, and says why, when libgit2 has no SSH transport, rather than passing vacuously.
  fileprivate static var needsSSH: Self {
    .enabled(if: GitMirror.sshSupported, "the system libgit2 was built without SSH (libssh2)")
  }
}
