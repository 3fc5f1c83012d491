import Foundation
import Model
import Testing

@testable import KubeClient

@Suite struct LineSplitterTests {
  @Test func linesSpanChunks() {
    var splitter = LineSplitter()
    func feed(_ text: String) -> [String] {
      Array(text.utf8).withUnsafeBytes { splitter.append($0) }.map {
        String(decoding: $0, as: UTF8.self)
      }
    }
    #expect(feed("{\"a\":") == [])
    #expect(feed("1}\n{\"b\"") == ["{\"a\":1}"])
    #expect(feed(":2}\n\n{\"c\":3}\n") == ["{\"b\":2}", "{\"c\":3}"])
    #expect(feed("{\"d\":4}") == [])
    #expect(splitter.finish().map { String(decoding: $0, as: UTF8.self) } == "{\"d\":4}")
    #expect(splitter.finish() == nil)
  }
}

@Suite struct WatchStateTests {
  func object(_ name: String, _ version: String, namespace: String = "ns") -> Value {
    [
      "apiVersion": "v1", "kind": "ConfigMap",
      "metadata": [
        "name": .string(name), "namespace": .string(namespace), "resourceVersion": .string(version),
      ],
    ]
  }

  @Test func relistReportsTheDifference() {
    var state = WatchState()
    state.record(WatchEvent(kind: .added, object: object("kept", "1")))
    state.record(WatchEvent(kind: .added, object: object("changed", "2")))
    state.record(WatchEvent(kind: .added, object: object("removed", "3")))
    state.record(WatchEvent(kind: .bookmark, object: ["metadata": ["resourceVersion": "5"]]))
    #expect(state.resourceVersion == "5")
    let events = state.reconcile(
      with: [object("kept", "1"), object("changed", "7"), object("new", "8")], listVersion: "9",
      apiVersion: "v1", kind: "ConfigMap")
    #expect(events.map(\.kind) == [.modified, .added, .deleted])
    #expect(
      events.map { $0.object[path: ["metadata", "name"]]?.stringValue } == [
        "changed", "new", "removed",
      ])
    #expect(events[2].object[path: ["metadata", "namespace"]] == "ns")
    #expect(state.resourceVersion == "9")
    #expect(state.known.count == 3)
  }
}

@Suite struct RequestRulesTests {
  @Test func writesAndIdempotence() {
    #expect(HTTPRequest(method: "PATCH", path: "/x?fieldManager=a").isWrite)
    #expect(!HTTPRequest(method: "PATCH", path: "/x?fieldManager=a&dryRun=All").isWrite)
    #expect(!HTTPRequest(method: "GET", path: "/x").isWrite)
    #expect(HTTPRequest(method: "DELETE", path: "/x").isIdempotent)
    #expect(!HTTPRequest(method: "POST", path: "/x").isIdempotent)
    #expect(
      HTTPRequest(method: "PATCH", path: "/x", contentType: HTTPRequest.applyPatchType).isIdempotent
    )
    #expect(
      !HTTPRequest(method: "PATCH", path: "/x", contentType: HTTPRequest.mergePatchType)
        .isIdempotent)
    #expect(HTTPRequest(method: "GET", path: "/api/v1/pods?limit=5").summary == "GET /api/v1/pods")
  }

  @Test func transientFailures() {
    #expect(TransientFailure.statusIsTransient(429, idempotent: false))
    #expect(TransientFailure.statusIsTransient(503, idempotent: true))
    #expect(!TransientFailure.statusIsTransient(503, idempotent: false))
    for status in [400, 401, 403, 404, 409, 422] {
      #expect(!TransientFailure.statusIsTransient(status, idempotent: true))
    }
    #expect(TransientFailure.curlCodeIsTransient(7, idempotent: false), "connection refused")
    #expect(TransientFailure.curlCodeIsTransient(28, idempotent: true), "timeout")
    #expect(!TransientFailure.curlCodeIsTransient(28, idempotent: false))
    #expect(!TransientFailure.curlCodeIsTransient(60, idempotent: true), "TLS verification")
    #expect(TransientFailure.retryAfter(["retry-after": "2"]) == 2)
  }

  @Test func backoffIsBounded() {
    let policy = RetryPolicy.standard
    for attempt in 1...20 {
      let delay = policy.delay(after: attempt)
      #expect(delay >= 0.2 * 0.8 && delay <= 3 * 1.2)
    }
    #expect(policy.delay(after: 1, retryAfter: 2) >= 2)
    #expect(policy.delay(after: 1, retryAfter: 3600) <= policy.maxRetryAfter)
  }

  @Test func pathsAndQueries() {
    let deployments = ResourceMapping(
      group: "apps", version: "v1", resource: "deployments", kind: "Deployment", namespaced: true)
    let namespaces = ResourceMapping(
      group: "", version: "v1", resource: "namespaces", kind: "Namespace", namespaced: false)
    #expect(
      ResourcePath.path(deployments, namespace: "shop", name: "web", subresource: "status")
        == "/apis/apps/v1/namespaces/shop/deployments/web/status")
    #expect(ResourcePath.path(deployments, namespace: nil) == "/apis/apps/v1/deployments")
    #expect(
      ResourcePath.path(namespaces, namespace: "ignored", name: "a") == "/api/v1/namespaces/a")
    #expect(
      URLQuery.string([
        ("labelSelector", "app in (a,b),!legacy"), ("continue", nil), ("limit", "5"),
      ])
        == "?labelSelector=app%20in%20%28a%2Cb%29%2C%21legacy&limit=5")
    #expect(URLQuery.string([("x", nil)]) == "")
  }
}

@Suite struct APIStatusTests {
  @Test func invalidCarriesCauses() {
    let body = """
      {"kind":"Status","apiVersion":"v1","status":"Failure","message":"Deployment.apps \\"web\\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0","reason":"Invalid","details":{"name":"web","group":"apps","kind":"Deployment","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: -1: must be greater than or equal to 0","field":"spec.replicas"}]},"code":422}
      """
    let error = APIStatus(response: KubeResponse(status: 422, body: Data(body.utf8)))
      .error(cluster: "edge-1", subject: "apps/Deployment shop/web")
    guard case .invalid(let message, let causes) = error else {
      Issue.record("expected invalid, got \(error)")
      return
    }
    #expect(
      message.hasPrefix("edge-1: apps/Deployment shop/web: Deployment.apps \"web\" is invalid"))
    #expect(causes == ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"])
  }

  @Test func statusesMapToCases() {
    func error(_ status: Int, _ body: String = "") -> KubeError {
      APIStatus(response: KubeResponse(status: status, body: Data(body.utf8)))
        .error(cluster: "c", subject: "s")
    }
    #expect(error(404) == .notFound("c: s: the server could not find the requested resource"))
    #expect(
      error(409, #"{"kind":"Status","message":"taken","code":409}"#) == .conflict("c: s: taken"))
    #expect(error(403, #"{"kind":"Status","message":"no","code":403}"#) == .forbidden("c: s: no"))
    #expect(error(401) == .unauthorized("c: s: unauthorized"))
    #expect(error(503, "busy") == .server(code: 503, message: "c: s: busy"))
  }
}
