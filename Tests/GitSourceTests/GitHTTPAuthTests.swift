import Foundation
import GitSource
import Testing
import WavesyncTesting

@Suite("Fetching over smart HTTP with basic auth")
struct GitHTTPAuthTests {
  static let password = "hunter2-http-secret"

  @Test func clonesWithUserAndPassword() async throws {
    let temp = try TemporaryDirectory()
    let (_, commit) = try FleetFixture.make(in: temp)
    let server = try await GitHTTPServer(
      projectRoot: temp.appending("served").path, username: "deploy", password: Self.password,
      workDirectory: temp.url)
    defer { server.stop() }
    let mirror = GitMirror(
      url: server.url(for: "fleet"), cacheRoot: temp.appending("cache"),
      credentials: .basic(username: "deploy", password: Self.password))

    let result = try await mirror.fetch(ref: "main")
    #expect(result.commit.id == commit)
    #expect(result.transfer.receivedBytes > 0)
    let snapshot = try await mirror.snapshot(ref: "main")
    #expect(try snapshot.tree.text(of: "clusters/edge-1/app.yaml") == FleetFixture.appYAML)
    let config = try String(
      contentsOf: mirror.cacheDirectory.appendingPathComponent("config"), encoding: .utf8)
    #expect(config.contains(server.url(for: "fleet")))
    #expect(!config.contains(Self.password))
  }

  @Test func clonesWithATokenAsPassword() async throws {
    let temp = try TemporaryDirectory()
    let (_, commit) = try FleetFixture.make(in: temp)
    let token = "glpat-token-0123456789"
    let server = try await GitHTTPServer(
      projectRoot: temp.appending("served").path, username: "*", password: token,
      workDirectory: temp.url)
    defer { server.stop() }
    let mirror = GitMirror(
      url: server.url(for: "fleet"), cacheRoot: temp.appending("cache"),
      credentials: .token(GitSecret(token)))
    #expect(try await mirror.fetch(ref: "main").commit.id == commit)
  }

  @Test func passwordInTheURLIsUsedButNeverStoredOrShown() async throws {
    let temp = try TemporaryDirectory()
    let (_, commit) = try FleetFixture.make(in: temp)
    let server = try await GitHTTPServer(
      projectRoot: temp.appending("served").path, username: "deploy", password: Self.password,
      workDirectory: temp.url)
    defer { server.stop() }
    let plain = server.url(for: "fleet")
    let withUserinfo = plain.replacingOccurrences(
      of: "http://", with: "http://deploy:\(Self.password)@")
    let mirror = GitMirror(url: withUserinfo, cacheRoot: temp.appending("cache"))

    let result = try await mirror.fetch(ref: "main")
    #expect(result.commit.id == commit)
    #expect(result.url == plain)
    let config = try String(
      contentsOf: mirror.cacheDirectory.appendingPathComponent("config"), encoding: .utf8)
    #expect(!config.contains(Self.password))
  }

  @Test func wrongPasswordFailsOnceWithoutLeakingIt() async throws {
    let temp = try TemporaryDirectory()
    _ = try FleetFixture.make(in: temp)
    let server = try await GitHTTPServer(
      projectRoot: temp.appending("served").path, username: "deploy", password: "right-one",
      workDirectory: temp.url)
    defer { server.stop() }
    let url = server.url(for: "fleet")
    let mirror = GitMirror(
      url: url, cacheRoot: temp.appending("cache"),
      credentials: .basic(username: "deploy", password: Self.password))

    let error = await #expect(throws: GitSourceError.self) { try await mirror.fetch(ref: "main") }
    #expect(error == .authenticationFailed(url: url))
    for text in [
      String(describing: error!), error!.localizedDescription, "\(error!)",
      String(reflecting: error!),
    ] {
      #expect(text.contains(url))
      #expect(!text.contains(Self.password))
    }
    // One anonymous request, then one with the wrong password: libgit2 was not let to retry.
    let refused = server.log.components(separatedBy: "\" 401 ").count - 1
    #expect(refused >= 1, "the server saw the wrong password:\n\(server.log)")
    #expect(refused <= 2, "server refused \(refused) requests:\n\(server.log)")
  }

  @Test func missingCredentialsSaySo() async throws {
    let temp = try TemporaryDirectory()
    _ = try FleetFixture.make(in: temp)
    let server = try await GitHTTPServer(
      projectRoot: temp.appending("served").path, username: "deploy", password: "right-one",
      workDirectory: temp.url)
    defer { server.stop() }
    let mirror = GitMirror(url: server.url(for: "fleet"), cacheRoot: temp.appending("cache"))
    let error = await #expect(throws: GitSourceError.self) { try await mirror.fetch() }
    #expect(error == .credentialsRequired(url: server.url(for: "fleet")))
  }
}
