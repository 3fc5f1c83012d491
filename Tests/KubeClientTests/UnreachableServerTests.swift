import Foundation
import KubeClient
import Testing
import WavesyncTesting

@Suite struct UnreachableServerTests {
  @Test func closedLoopbackPortFailsFastNamingTheCluster() async throws {
    let port = try LoopbackPort.free()
    let client = KubeClient(
      connection: ClusterConnection(name: "edge-closed", server: "https://127.0.0.1:\(port)"))
    let started = ContinuousClock.now
    let error = await #expect(throws: KubeError.self) {
      _ = try await client.request("GET", "/readyz")
    }
    let elapsed = ContinuousClock.now - started
    guard case .unreachable(let cluster, let reason)? = error else {
      Issue.record("expected unreachable, got \(String(describing: error))")
      return
    }
    #expect(cluster == "edge-closed")
    #expect(reason.contains("\(port)"), "curl's reason names the address: \(reason)")
    #expect(error!.description.contains("edge-closed"))
    // Connection refused is retried (it is transient), but the backoff is short and bounded.
    #expect(elapsed < .seconds(20), "took \(elapsed)")
    #expect(client.stats.requests == 0, "no exchange reached a server")
  }

  @Test func watchOfAnUnreachableServerEndsWithTheError() async throws {
    let port = try LoopbackPort.free()
    let client = KubeClient(
      connection: ClusterConnection(name: "edge-gone", server: "https://127.0.0.1:\(port)"))
    let started = ContinuousClock.now
    let error = await #expect(throws: KubeError.self) {
      for try await _ in client.watch(apiVersion: "v1", kind: "ConfigMap") {}
    }
    #expect(ContinuousClock.now - started < .seconds(30))
    guard case .unreachable(cluster: "edge-gone", _)? = error else {
      Issue.record("expected unreachable, got \(String(describing: error))")
      return
    }
  }
}
