import Foundation
import KubeClient
import LocalFleet
import Model
import Testing
import WavesyncTesting

/// The link proxy in front of a real kube-apiserver: bytes pass untouched and are counted, a cut
/// makes the site unreachable until restored, and rates and latency hold by the proxy's own
/// clock (its recorded releases), never by timing the test.
extension LocalFleetSuites.SharedFleetTests {
  @Test func bytesPassThroughUntouchedAndAreCountedBothWays() async throws {
    let links = try startLinks(LinkSettings())
    defer { links.stop() }
    let proxy = try #require(links.proxy(for: "site-a"))
    // Plain HTTP to the TLS port: the API server answers 400 in plain text and hangs up.
    let request = Array("GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
    let answer = try await RawExchange.run(port: proxy.port, sending: request)
    #expect(String(decoding: answer, as: UTF8.self).hasPrefix("HTTP/1.0 400 Bad Request"))
    try await eventually("the proxy counting the answer") { proxy.counters.downlinkBytes > 0 }
    let counters = proxy.counters
    #expect(counters.uplinkBytes == Int64(request.count))
    #expect(counters.downlinkBytes == Int64(answer.count))
    #expect(counters.connections == 1)

    // TLS through the proxy: the kubeconfig only changed its port, the certificate still holds.
    let client = links.client(for: "site-a")
    let version = try await client.request("GET", "/version")
    #expect(version.status == 200)
    // What KubeClient counted (bodies) crossed the proxy, plus headers and TLS.
    let stats = client.stats
    #expect(stats.bytesReceived > 0)
    #expect(proxy.counters.downlinkBytes - counters.downlinkBytes > stats.bytesReceived)
    #expect(proxy.counters.uplinkBytes > counters.uplinkBytes + stats.bytesSent)
  }

  @Test func aCutLinkIsUnreachableUntilRestored() async throws {
    let links = try startLinks(LinkSettings())
    defer { links.stop() }
    let proxy = try #require(links.proxy(for: "site-a"))
    let client = links.client(for: "site-a", timeoutSeconds: 10)
    let namespace = ObjectReference(apiVersion: "v1", kind: "Namespace", name: "default")
    #expect(try await client.get(namespace) != nil)
    #expect(proxy.counters.openConnections == 1)

    proxy.cut()
    #expect(proxy.isCut)
    #expect(proxy.counters.openConnections == 0)
    #expect(proxy.counters.droppedConnections >= 1)
    do {
      _ = try await client.get(namespace)
      Issue.record("a cut link answered")
    } catch {
      guard case .unreachable = error else {
        Issue.record("expected unreachable, got \(error)")
        return
      }
    }
    let connectionsWhileCut = proxy.counters.connections
    // The site itself runs on: its API server answers directly.
    #expect(try await SharedFleet.environment.client("site-a").get(namespace) != nil)

    proxy.restore()
    #expect(try await client.get(namespace) != nil)
    #expect(proxy.counters.connections == connectionsWhileCut + 1)
  }

  @Test func eachDirectionKeepsToItsRateAndLatency() async throws {
    let downlink: Int64 = 400_000
    let uplink: Int64 = 200_000
    let latency: UInt64 = 40_000_000
    let links = try startLinks(
      LinkSettings(
        downlinkBytesPerSecond: downlink, uplinkBytesPerSecond: uplink,
        latencyNanoseconds: latency))
    defer { links.stop() }
    let proxy = try #require(links.proxy(for: "site-a"))
    let client = links.client(for: "site-a", timeoutSeconds: 120)
    let namespace = uniqueName("link")
    _ = try await client.apply(Manifests.namespace(namespace), fieldManager: Self.fieldManager)
    // Random text does not compress: every byte of it crosses the link both ways.
    let payload = (0..<600_000).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement()! }
    let configMap: Value = [
      "apiVersion": "v1", "kind": "ConfigMap",
      "metadata": ["name": "big", "namespace": .string(namespace)],
      "data": ["payload": .string(String(payload))],
    ]
    _ = try await client.apply(configMap, fieldManager: Self.fieldManager)
    _ = try await client.get(try ObjectReference(of: configMap))

    for (direction, rate) in [(LinkDirection.downlink, downlink), (.uplink, uplink)] {
      let releases = proxy.releases(direction)
      let total = releases.reduce(0) { $0 + $1.bytes }
      #expect(total > 600_000, "\(direction)")
      // Any interval of the proxy's clock saw at most the rate over it plus one burst.
      for interval: UInt64 in [50_000_000, 1_000_000_000] {
        let allowed =
          TokenBucket.defaultBurst(bytesPerSecond: rate) + rate * Int64(interval) / 1_000_000_000
        let busiest = Self.busiestInterval(releases, nanoseconds: interval)
        #expect(busiest <= allowed, "\(direction): \(busiest) bytes in \(interval) ns")
      }
      // And every byte waited the latency after the proxy read it.
      #expect(releases.allSatisfy { $0.nanoseconds - $0.receivedNanoseconds >= latency })
    }
  }

  /// The most bytes released within any `nanoseconds` (from one release on).
  static func busiestInterval(_ releases: [LinkRelease], nanoseconds: UInt64) -> Int64 {
    var busiest: Int64 = 0
    var sum: Int64 = 0
    var end = 0
    for start in releases.indices {
      while end < releases.count,
        releases[end].nanoseconds < releases[start].nanoseconds + nanoseconds
      {
        sum += releases[end].bytes
        end += 1
      }
      busiest = max(busiest, sum)
      sum -= releases[start].bytes
    }
    return busiest
  }

  private func startLinks(_ settings: LinkSettings) throws -> FleetLinks {
    let fleet = try SharedFleet.environment.fleet
    return try fleet.startLinks(
      ["site-a": settings],
      kubeconfig: fleet.workDirectory.appendingPathComponent("links-\(UUID()).kubeconfig"))
  }
}
