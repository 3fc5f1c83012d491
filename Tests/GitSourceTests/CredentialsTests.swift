import Foundation
import GitSource
import Testing
import WavesyncTesting

@Suite("Credentials: loading and redaction")
struct CredentialsTests {
  static let secret = "very-secret-value-42"

  @Test func readsTheEnvironment() throws {
    #expect(try GitCredentials.fromEnvironment(environment: [:]) == nil)
    #expect(
      try GitCredentials.fromEnvironment(environment: [
        "WAVESYNC_GIT_USERNAME": "deploy", "WAVESYNC_GIT_PASSWORD": Self.secret,
      ]) == .basic(username: "deploy", password: Self.secret))
    #expect(
      try GitCredentials.fromEnvironment(environment: ["WAVESYNC_GIT_TOKEN": Self.secret])
        == .token(GitSecret(Self.secret)))
    #expect(
      try GitCredentials.fromEnvironment(
        prefix: "FLEET", environment: ["FLEET_SSH_KEY": "/keys/id", "FLEET_USERNAME": "git"])
        == .sshKey(username: "git", privateKey: "/keys/id", publicKey: nil, passphrase: nil))
    #expect(throws: GitSourceError.self) {
      try GitCredentials.fromEnvironment(environment: ["WAVESYNC_GIT_PASSWORD": Self.secret])
    }
  }

  @Test func readsAFile() throws {
    let temp = try TemporaryDirectory()
    let file = temp.appending("git-credentials")
    try "# deploy user\nusername = deploy\npassword=\(Self.secret)\n\n"
      .write(to: file, atomically: true, encoding: .utf8)
    #expect(
      try GitCredentials.fromFile(file.path) == .basic(username: "deploy", password: Self.secret))
  }

  /// Every way of printing credentials and every error a secret could reach stays clean.
  @Test func secretsNeverAppearInText() async throws {
    let temp = try TemporaryDirectory()
    let credentials: [GitCredentials] = [
      .basic(username: "deploy", password: Self.secret),
      .token(GitSecret(Self.secret), username: "ci"),
      .sshKey(
        username: "git", privateKey: "/keys/id", publicKey: nil,
        passphrase: GitSecret(Self.secret)),
    ]
    var texts: [String] = []
    for value in credentials {
      var dumped = ""
      dump(value, to: &dumped)
      texts += [
        String(describing: value), String(reflecting: value), "\(value)", dumped,
        "\([value])", "\(Optional(value) as Any)",
      ]
    }

    var errors: [any Error] = []
    let badFile = temp.appending("bad-credentials")
    try "username=deploy\n\(Self.secret)\n".write(to: badFile, atomically: true, encoding: .utf8)
    errors.append(captured { try GitCredentials.fromFile(badFile.path) })
    let unknownKey = temp.appending("unknown-key")
    try "\(Self.secret)=x\n".write(to: unknownKey, atomically: true, encoding: .utf8)
    errors.append(captured { try GitCredentials.fromFile(unknownKey.path) })
    errors.append(
      captured {
        try GitCredentials.fromEnvironment(environment: ["WAVESYNC_GIT_PASSWORD": Self.secret])
      })
    // A password in the URL of a remote that is not there.
    let port = try LoopbackPort.free()
    for value in credentials + [nil] {
      let mirror = GitMirror(
        url: "http://deploy:\(Self.secret)@127.0.0.1:\(port)/fleet",
        cacheRoot: temp.appending("cache"), credentials: value)
      do {
        _ = try await mirror.fetch()
        Issue.record("fetching from a closed port succeeded")
      } catch { errors.append(error) }
    }
    for error in errors {
      texts += [
        String(describing: error), String(reflecting: error), "\(error)",
        error.localizedDescription,
      ]
    }
    #expect(errors.count == 7)
    for text in texts {
      #expect(!text.contains(Self.secret), "leaked in: \(text)")
    }
  }

  private func captured(_ body: () throws -> Any?) -> any Error {
    do {
      _ = try body()
      return NoErrorThrown()
    } catch { return error }
  }
}

private struct NoErrorThrown: Error {}
