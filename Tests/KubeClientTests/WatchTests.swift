import Foundation
import Model
import Testing
import WavesyncTesting

@testable import KubeClient

/// Collects a watch's events in a task of its own, so a test can act and then wait (bounded)
/// for what it expects to see.
final class WatchRecorder: @unchecked Sendable {
  private let lock = NSLock()
  private var received: [(WatchEvent.Kind, String)] = []
  private var failure: (any Error)?
  private var task: Task<Void, Never>?

  init(_ stream: AsyncThrowingStream<WatchEvent, any Error>) {
    task = Task { [self] in
      do {
        for try await event in stream where event.kind != .bookmark {
          let name = event.object[path: ["metadata", "name"]]?.stringValue ?? "?"
          lock.withLock { received.append((event.kind, name)) }
        }
      } catch {
        lock.withLock { failure = error }
      }
    }
  }

  var events: [String] { lock.withLock { received.map { "\($0.0.rawValue) \($0.1)" } } }
  var error: (any Error)? { lock.withLock { failure } }

  /// Waits for as many events as `expected` holds (or the watch's failure); true when they are
  /// `expected`.
  func waitFor(_ expected: [String]) async throws -> Bool {
    try await eventually("the events \(expected)") {
      self.events.count >= expected.count || self.error != nil
    }
    return events == expected
  }

  func stop() { task?.cancel() }
}

@Suite(.needsFleet) struct WatchTests {
  @Test func seesAddedModifiedDeleted() async throws {
    let client = try await TestFleet.client()
    let namespace = try await TestFleet.namespace("watch")
    // Starting from the namespace's resourceVersion (they are global) makes the watch see every
    // change below, however long it takes to connect.
    let namespaceObject = try await client.get(
      ObjectReference(apiVersion: "v1", kind: "Namespace", name: namespace))
    let start: String = try #require(
      namespaceObject?[path: ["metadata", "resourceVersion"]]?.stringValue)
    let recorder = WatchRecorder(
      client.watch(
        apiVersion: "v1", kind: "ConfigMap", namespace: namespace, labelSelector: "watched=yes",
        resourceVersion: start))
    defer { recorder.stop() }

    let id = ObjectReference(apiVersion: "v1", kind: "ConfigMap", namespace: namespace, name: "w")
    _ = try await client.create(
      configMap("w", namespace: namespace, data: ["v": "1"], labels: ["watched": "yes"]))
    _ = try await client.patch(id, mergePatch: ["data": ["v": "2"]])
    _ = try await client.delete(id)
    #expect(
      try await recorder.waitFor(["ADDED w", "MODIFIED w", "DELETED w"]), "\(recorder.events)")
    #expect(recorder.error == nil)
  }

  @Test func resumesWhenTheServerClosesTheStream() async throws {
    var tuning = ClientTuning.standard
    tuning.watchTimeoutSeconds = { 1 }
    let client = try await TestFleet.client(tuning: tuning)
    let namespace = try await TestFleet.namespace("resume")
    let labels = ["resume": "yes"]
    _ = try await client.create(
      configMap("before", namespace: namespace, data: [:], labels: labels))
    // No resourceVersion: the server first reports what exists.
    let recorder = WatchRecorder(
      client.watch(
        apiVersion: "v1", kind: "ConfigMap", namespace: namespace, labelSelector: "resume=yes"))
    defer { recorder.stop() }
    #expect(try await recorder.waitFor(["ADDED before"]), "\(recorder.events)")

    // Outlive a few one-second server-side timeouts, then change things: the watch must have
    // resumed without replaying what it had already reported.
    try await Task.sleep(for: .seconds(3))
    _ = try await client.create(configMap("after", namespace: namespace, data: [:], labels: labels))
    #expect(try await recorder.waitFor(["ADDED before", "ADDED after"]), "\(recorder.events)")
    // Discovery, two creates, and the watch connections that have ended so far.
    #expect(client.stats.requests >= 5, "several watch connections: \(client.stats)")
    #expect(recorder.error == nil)
  }

  /// An old resourceVersion the server still holds replays history. (A fresh API server keeps
  /// all of it in its watch cache, so 410 Gone is tested against a scripted server instead:
  /// WatchRelistTests.)
  @Test func startsFromAnOldResourceVersion() async throws {
    let client = try await TestFleet.client()
    let namespace = try await TestFleet.namespace("history")
    _ = try await client.create(
      configMap("existing", namespace: namespace, data: [:], labels: ["g": "1"]))
    let recorder = WatchRecorder(
      client.watch(
        apiVersion: "v1", kind: "ConfigMap", namespace: namespace, labelSelector: "g=1",
        resourceVersion: "1"))
    defer { recorder.stop() }
    #expect(try await recorder.waitFor(["ADDED existing"]), "\(recorder.events)")
    _ = try await client.create(
      configMap("later", namespace: namespace, data: [:], labels: ["g": "1"]))
    #expect(try await recorder.waitFor(["ADDED existing", "ADDED later"]), "\(recorder.events)")
  }

  @Test func cancellingTheConsumerStopsTheTransfer() async throws {
    let client = try await TestFleet.client()
    let namespace = try await TestFleet.namespace("cancel")
    let consumer = Task {
      for try await _ in client.watch(apiVersion: "v1", kind: "ConfigMap", namespace: namespace) {}
    }
    try await eventually("the watch streaming") { client.transport.inFlight.withLock { $0 } == 1 }
    consumer.cancel()
    _ = try? await consumer.value
    // The transfer ends: curl lets go of the connection (a hang would fail here).
    try await eventually("the watch's transfer ended") {
      client.transport.inFlight.withLock { $0 } == 0
    }
  }

  @Test func forbiddenOrUnknownEndsTheStream() async throws {
    let client = try await TestFleet.client()
    await #expect(throws: KubeError.unknownKind(apiVersion: "v1", kind: "Nothing")) {
      for try await _ in client.watch(apiVersion: "v1", kind: "Nothing") {}
    }
  }
}
