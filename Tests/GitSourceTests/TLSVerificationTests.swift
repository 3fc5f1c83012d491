import Foundation
import GitSource
import Testing
import WavesyncTesting

@Suite("TLS verification")
struct TLSVerificationTests {
  @Test func selfSignedCertificateIsRefusedUnlessOptedIn() async throws {
    let temp = try TemporaryDirectory()
    let (_, commit) = try FleetFixture.make(in: temp)
    let server = try await GitHTTPServer(
      projectRoot: temp.appending("served").path, username: "deploy", password: "tls-pass",
      workDirectory: temp.url, tlsCertificate: try SelfSignedCertificate.make(in: temp.url))
    defer { server.stop() }
    let url = server.url(for: "fleet")
    #expect(url.hasPrefix("https://"))
    let credentials = GitCredentials.basic(username: "deploy", password: "tls-pass")

    let verified = GitMirror(
      url: url, cacheRoot: temp.appending("cache"), credentials: credentials)
    let error = await #expect(throws: GitSourceError.self) { try await verified.fetch() }
    guard case .libgit2(let code, _, let message)? = error else {
      Issue.record("expected a certificate error, got \(String(describing: error))")
      return
    }
    #expect(code == -17, "GIT_ECERTIFICATE: \(message)")
    #expect(message.contains(url))

    let insecure = GitMirror(
      url: url, cacheRoot: temp.appending("cache"), credentials: credentials,
      insecureSkipTLSVerify: true)
    #expect(try await insecure.fetch(ref: "main").commit.id == commit)
  }
}
