import Foundation
import KubeClient
import Model
import Testing
import WavesyncTesting

/// 410 Gone, on connecting and inside the stream, against a scripted server: a fresh list,
/// with the difference to what was already reported (deletions included), then a watch from
/// the list's resourceVersion; bookmarks move the resume point.
@Suite struct WatchRelistTests {
  static let discovery = """
    {"kind":"APIResourceList","groupVersion":"v1","resources":[\
    {"name":"configmaps","namespaced":true,"kind":"ConfigMap","verbs":["list","watch"]}]}
    """
  static let gone = """
    {"kind":"Status","apiVersion":"v1","status":"Failure",\
    "message":"too old resource version: 1 (200)","reason":"Expired","code":410}
    """

  static func configMap(_ name: String, _ version: String) -> String {
    """
    {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"\(name)","namespace":"ns",\
    "resourceVersion":"\(version)"}}
    """
  }

  static func list(_ version: String, _ items: [String]) -> String {
    """
    {"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"\(version)"},\
    "items":[\(items.joined(separator: ","))]}
    """
  }

  @Test func goneListsAfreshAndReportsTheDifference() async throws {
    let server = try ScriptedHTTPServer([
      .respond(status: 200, body: Self.discovery),
      // Connecting with a resourceVersion the server no longer has.
      .respond(status: 410, body: Self.gone),
      .respond(status: 200, body: Self.list("300", [Self.configMap("a", "250")])),
      // One event, then 410 inside the stream.
      .respond(
        status: 200,
        body: """
          {"type":"ADDED","object":\(Self.configMap("b", "301"))}
          {"type":"ERROR","object":\(Self.gone)}

          """),
      // Meanwhile "a" went away.
      .respond(status: 200, body: Self.list("310", [Self.configMap("b", "301")])),
      .respond(
        status: 200,
        body: """
          {"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"320"}}}

          """),
      .hang,
    ])
    defer { server.stop() }
    let client = KubeClient(connection: ClusterConnection(name: "scripted", server: server.url))
    let seen = Seen()
    let consumer = Task {
      for try await event in client.watch(
        apiVersion: "v1", kind: "ConfigMap", namespace: "ns", resourceVersion: "1")
      {
        let name = event.object[path: ["metadata", "name"]]?.stringValue
        let version = event.object[path: ["metadata", "resourceVersion"]]?.stringValue
        seen.append("\(event.kind.rawValue) \(name ?? version ?? "?")")
      }
    }
    defer { consumer.cancel() }
    // The last watch (the hanging one) resumes from the bookmark.
    try await eventually("the seventh request") { note in
      note("\(server.requests)")
      return server.requests.count == 7 ? () : nil
    }
    #expect(seen.items == ["ADDED a", "ADDED b", "DELETED a", "BOOKMARK 320"])
    let paths = server.requests.map { $0.split(separator: " ")[1] }
    #expect(paths[0] == "/api/v1")
    #expect(paths[1].contains("watch=true") && paths[1].contains("resourceVersion=1&"))
    #expect(paths[1].contains("allowWatchBookmarks=true"))
    #expect(paths[2].hasPrefix("/api/v1/namespaces/ns/configmaps?limit=500"))
    #expect(paths[3].contains("resourceVersion=300&"))
    #expect(paths[5].contains("resourceVersion=310&"))
    #expect(paths[6].contains("resourceVersion=320&"))
  }
}

private final class Seen: @unchecked Sendable {
  private let lock = NSLock()
  private var list: [String] = []

  func append(_ item: String) { lock.withLock { list.append(item) } }
  var items: [String] { lock.withLock { list } }
}
