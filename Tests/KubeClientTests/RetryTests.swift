import Foundation
import Testing

@testable import KubeClient

/// Retries against a scripted server: transient answers are retried with backoff, final ones
/// never, and the number of tries is bounded.
@Suite struct RetryTests {
  func client(
    _ server: ScriptedHTTPServer, timeoutSeconds: Double = 10, waits: RecordedWaits? = nil
  ) -> KubeClient {
    var tuning = ClientTuning.standard
    if let waits { tuning.retry = waits.policy }
    return KubeClient(
      connection: ClusterConnection(name: "scripted", server: server.url), limits: nil,
      timeoutSeconds: timeoutSeconds, logger: .init(label: "wavesync.kube.test"), tuning: tuning)
  }

  @Test func unavailableIsRetriedForIdempotentVerbs() async throws {
    let server = try ScriptedHTTPServer([
      .respond(status: 503), .respond(status: 502), .respond(status: 200, body: "ok"),
    ])
    defer { server.stop() }
    let client = client(server)
    let response = try await client.request("GET", "/readyz")
    #expect(response.status == 200)
    #expect(response.text == "ok")
    #expect(server.requests.count == 3)
    #expect(client.stats.requests == 3)
    #expect(client.stats.retries == 2)
  }

  @Test func unavailableIsFinalForPost() async throws {
    let server = try ScriptedHTTPServer([.respond(status: 503), .respond(status: 200)])
    defer { server.stop() }
    let response = try await client(server).request(
      "POST", "/api/v1/namespaces", body: Data("{}".utf8))
    #expect(response.status == 503)
    #expect(server.requests.count == 1)
  }

  @Test func tooManyRequestsHonoursRetryAfter() async throws {
    let server = try ScriptedHTTPServer([
      .respond(status: 429, headers: ["Retry-After": "1"]), .respond(status: 201, body: "{}"),
    ])
    defer { server.stop() }
    let waits = RecordedWaits()
    let client = client(server, waits: waits)
    let response = try await client.request("POST", "/api/v1/namespaces", body: Data("{}".utf8))
    #expect(response.status == 201)
    // The server's second, not the policy's 0.2 s.
    #expect(waits.all == [.seconds(1)])
    #expect(client.stats.retries == 1)
    #expect(server.requests.count == 2)
    #expect(client.stats.writeRequests == 2)
  }

  @Test func validationAndConflictAreNeverRetried() async throws {
    for status in [400, 409, 422] {
      let server = try ScriptedHTTPServer([.respond(status: status), .respond(status: 200)])
      defer { server.stop() }
      #expect(try await client(server).request("PUT", "/x", body: Data()).status == status)
      #expect(server.requests.count == 1)
    }
  }

  @Test func triesAreBounded() async throws {
    let server = try ScriptedHTTPServer(Array(repeating: .respond(status: 500), count: 10))
    defer { server.stop() }
    #expect(try await client(server).request("GET", "/x").status == 500)
    #expect(server.requests.count == 4)
  }

  @Test func serverErrorsBecomeTypedErrorsWithTheStatusMessage() async throws {
    let status =
      #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"etcdserver: leader changed","code":500}"#
    let discovery =
      #"{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"configmaps","namespaced":true,"kind":"ConfigMap","verbs":["get"]}]}"#
    let server = try ScriptedHTTPServer(
      [.respond(status: 200, body: discovery)]
        + Array(repeating: .respond(status: 500, body: status), count: 4))
    defer { server.stop() }
    let error = await #expect(throws: KubeError.self) {
      _ = try await client(server).get(
        ObjectReference(apiVersion: "v1", kind: "ConfigMap", namespace: "a", name: "b"))
    }
    #expect(
      error == .server(code: 500, message: "scripted: ConfigMap a/b: etcdserver: leader changed"))
    #expect(server.requests.last == "GET /api/v1/namespaces/a/configmaps/b HTTP/1.1")
  }

  @Test func aServerThatNeverAnswersTimesOut() async throws {
    let server = try ScriptedHTTPServer([.hang])
    defer { server.stop() }
    let error = await #expect(throws: KubeError.self) {
      _ = try await client(server, timeoutSeconds: 0.5).request("POST", "/x", body: Data("{}".utf8))
    }
    #expect(error == .timeout(cluster: "scripted"))
    // A POST that may have reached the server is not sent again.
    #expect(server.requests.count == 1)
  }
}
