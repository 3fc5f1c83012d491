import Foundation
import KubeClient
import Testing
import WavesyncTesting

@Suite struct RedactionTests {
  static let token = "tok-9f8e7d6c5b4a"
  static let key = "-----BEGIN PRIVATE KEY-----\nSUPERSECRETKEYBYTES\n-----END PRIVATE KEY-----\n"

  func connection(server: String) -> ClusterConnection {
    ClusterConnection(
      name: "edge-7", server: server, clientCertificateData: Data("CERT".utf8),
      clientKeyData: KubeSecret(Self.key), bearerToken: KubeSecret(Self.token))
  }

  func assertNoSecret(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(!text.contains(Self.token), sourceLocation: sourceLocation)
    #expect(!text.contains("SUPERSECRETKEYBYTES"), sourceLocation: sourceLocation)
  }

  @Test func everyWayOfPrintingHidesSecrets() {
    let connection = connection(server: "https://127.0.0.1:6443")
    var dumped = ""
    dump(connection, to: &dumped)
    for text in [
      connection.description, String(describing: connection), String(reflecting: connection),
      "\(connection)", dumped, "\(connection.bearerToken!)",
      String(reflecting: connection.clientKeyData!),
    ] {
      assertNoSecret(text)
    }
    #expect(connection.description == "edge-7 (https://127.0.0.1:6443)")
    #expect("\(KubeSecret("x"))" == "<redacted>")
    #expect(KubeSecret("x").reveal() == "x")
  }

  @Test func errorsAndLogsOfAFailedRequestHideSecrets() async throws {
    let port = try LoopbackPort.free()
    let logs = CapturedLogs()
    let client = KubeClient(
      connection: connection(server: "https://127.0.0.1:\(port)"), timeoutSeconds: 5,
      logger: logs.logger)
    let error = await #expect(throws: KubeError.self) {
      _ = try await client.get(ObjectReference(apiVersion: "v1", kind: "Pod", name: "x"))
    }
    assertNoSecret(String(describing: error))
    assertNoSecret(String(reflecting: error))
    assertNoSecret(logs.text)
    #expect(logs.text.contains("edge-7"), "log lines carry the cluster name")
  }
}
