import Foundation
import GitSource
import Testing
import WavesyncTesting

/// No sshd can be started here without installing packages, so these tests cover building SSH
/// credentials and failing cleanly against a closed loopback port.
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
}
