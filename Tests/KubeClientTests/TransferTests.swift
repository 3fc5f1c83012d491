import Foundation
import KubeClient
import Model
import Testing

@Suite(.needsFleet) struct TransferTests {
  /// Base64 of random bytes: what little gzip can squeeze out of it is predictable.
  static func payload(bytes: Int) -> String {
    var generator = SystemRandomNumberGenerator()
    return Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) })
      .base64EncodedString()
  }

  @Test func statsCountWritesAndBytes() async throws {
    let client = try await TestFleet.client()
    let namespace = try await TestFleet.namespace("stats")
    let id = ObjectReference(
      apiVersion: "v1", kind: "ConfigMap", namespace: namespace, name: "counted")
    _ = try await client.mapping(apiVersion: "v1", kind: "ConfigMap")
    client.resetStats()
    #expect(client.stats == TransferStats())

    _ = try await client.apply(
      configMap("counted", namespace: namespace, data: ["a": "1"]), fieldManager: "w")
    _ = try await client.apply(
      configMap("counted", namespace: namespace, data: ["a": "2"]), fieldManager: "w", dryRun: true)
    _ = try await client.get(id)
    _ = try await client.patch(id, mergePatch: ["data": ["b": "2"]])
    _ = try await client.list(apiVersion: "v1", kind: "ConfigMap", namespace: namespace)
    _ = try await client.delete(id)
    let stats = client.stats
    #expect(stats.requests == 6)
    #expect(stats.writeRequests == 3, "apply, patch, delete; not the dry run")
    #expect(stats.bytesSent > 100)
    #expect(stats.bytesReceived > 500)
  }

  @Test func receiveLimitSlowsALargeResponse() async throws {
    let namespace = try await TestFleet.namespace("slow-down")
    let writer = try await TestFleet.client()
    _ = try await writer.create(
      configMap("big", namespace: namespace, data: ["blob": Self.payload(bytes: 200_000)]))
    let id = ObjectReference(apiVersion: "v1", kind: "ConfigMap", namespace: namespace, name: "big")

    let limited = try await TestFleet.client(
      limits: TransferLimits(maxReceiveBytesPerSecond: 32_000))
    _ = try await limited.mapping(apiVersion: "v1", kind: "ConfigMap")
    limited.resetStats()
    let started = ContinuousClock.now
    let object = try await limited.get(id)
    let elapsed = ContinuousClock.now - started
    #expect(object?[path: ["data", "blob"]]?.stringValue?.count == 266_668)
    let received = limited.stats.bytesReceived
    // curl enforces the cap as an average and lets the first ~100 kB through in one burst, so
    // ~200 kB (random bytes barely gzip) at 32 kB/s take about 3 s; unthrottled, milliseconds.
    #expect(received > 150_000, "\(received) bytes")
    #expect(elapsed > .seconds(1.5), "took \(elapsed) for \(received) bytes")
  }

  @Test func sendLimitSlowsALargeRequest() async throws {
    let namespace = try await TestFleet.namespace("slow-up")
    let limited = try await TestFleet.client(limits: TransferLimits(maxSendBytesPerSecond: 64_000))
    _ = try await limited.mapping(apiVersion: "v1", kind: "ConfigMap")
    limited.resetStats()
    let started = ContinuousClock.now
    _ = try await limited.create(
      configMap("upload", namespace: namespace, data: ["blob": Self.payload(bytes: 150_000)]))
    let elapsed = ContinuousClock.now - started
    #expect(limited.stats.bytesSent > 200_000)
    // 200 kB at 64 kB/s: about 3 s.
    #expect(elapsed > .seconds(1.5), "took \(elapsed)")
  }

  @Test func manyConcurrentRequests() async throws {
    let client = try await TestFleet.client()
    _ = try await client.mapping(apiVersion: "v1", kind: "Namespace")
    client.resetStats()
    let count = try await withThrowingTaskGroup(of: Int.self) { group in
      for _ in 0..<40 {
        group.addTask { try await client.list(apiVersion: "v1", kind: "Namespace").count }
      }
      var total = 0
      for try await count in group { total += count > 0 ? 1 : 0 }
      return total
    }
    #expect(count == 40)
    #expect(client.stats.requests == 40)
  }
}
