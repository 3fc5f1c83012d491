import Foundation
import Testing
import WavesyncTesting

@testable import KubeClient

/// A server that refuses connections: the client tries a bounded number of times with
/// exponential backoff, then fails naming the cluster. The waits are asserted as the policy
/// chose them, never as wall time.
@Suite struct UnreachableServerTests {
  func client(named name: String, port: UInt16, waits: RecordedWaits? = nil) -> KubeClient {
    var tuning = ClientTuning.standard
    if let waits { tuning.retry = waits.policy }
    return KubeClient(
      connection: ClusterConnection(name: name, server: "https://127.0.0.1:\(port)"),
      limits: nil, timeoutSeconds: 30, logger: .init(label: "wavesync.kube.test"), tuning: tuning)
  }

  @Test func closedLoopbackPortFailsNamingTheCluster() async throws {
    let port = try LoopbackPort.free()
    let client = client(named: "edge-closed", port: port)
    let error = await #expect(throws: KubeError.self) {
      _ = try await client.request("GET", "/readyz")
    }
    guard case .unreachable(let cluster, let reason)? = error else {
      Issue.record("expected unreachable, got \(String(describing: error))")
      return
    }
    #expect(cluster == "edge-closed")
    #expect(reason.contains("\(port)"), "curl's reason names the address: \(reason)")
    #expect(error!.description.contains("edge-closed"))
    // Connection refused is transient: 4 tries, so 3 retries.
    #expect(client.stats.retries == 3)
    #expect(client.stats.requests == 0, "no exchange reached a server")
  }

  @Test func refusedConnectionsBackOffExponentiallyAndStopAfterFourTries() async throws {
    let waits = RecordedWaits()
    let client = client(named: "edge-backoff", port: try LoopbackPort.free(), waits: waits)
    await #expect(throws: KubeError.self) { _ = try await client.request("GET", "/readyz") }
    let recorded = waits.all
    #expect(recorded.count == 3, "\(recorded)")
    for (index, wait) in recorded.enumerated() {
      #expect(
        RecordedWaits.standardRange(after: index + 1).contains(wait), "wait \(index): \(wait)")
    }
    #expect(client.stats.retries == 3)
  }

  @Test func watchOfAnUnreachableServerEndsWithTheError() async throws {
    let waits = RecordedWaits()
    let client = client(named: "edge-gone", port: try LoopbackPort.free(), waits: waits)
    let error = await #expect(throws: KubeError.self) {
      for try await _ in client.watch(apiVersion: "v1", kind: "ConfigMap") {}
    }
    guard case .unreachable(cluster: "edge-gone", _)? = error else {
      Issue.record("expected unreachable, got \(String(describing: error))")
      return
    }
    // Discovery comes first and fails after its bounded tries; the stream then ends.
    #expect(waits.all.count == 3, "\(waits.all)")
  }
}
