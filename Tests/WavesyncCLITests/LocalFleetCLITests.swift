import Foundation
import KubeClient
import LocalFleet
import Testing
import WavesyncTesting

/// `wavesync local-fleet` on a machine where a server cannot start: an environment problem,
/// said as such (exit 1 with the cause), never an internal error.
@Suite(.enabled(if: EnvtestFleet.binariesAvailable, "envtest binaries missing"))
struct LocalFleetCLITests {
  @Test func aServerThatNeverBecomesReadyIsAnEnvironmentProblem() async throws {
    let fake = try FailingEnvtestBinaries(message: "E0101 bind: address already in use")
    let kubeconfig = fake.url.appendingPathComponent("kubeconfig")
    let result = try await WavesyncProcess.run(
      ["local-fleet", "--sites", "store-1", "--kubeconfig", kubeconfig.path],
      environment: ["WAVESYNC_ENVTEST_BIN": fake.url.path])
    #expect(result.status == 1, "\(result)")
    #expect(result.errors.hasPrefix("error: the local fleet could not run: "), "\(result)")
    #expect(result.errors.contains("did not become ready in 3 tries"), "\(result)")
    #expect(result.errors.contains("E0101 bind: address already in use"), "\(result)")
    #expect(!result.errors.contains("internal error"), "\(result)")
    #expect(!FileManager.default.fileExists(atPath: kubeconfig.path))
  }

  /// `local-fleet --links` with a link from the options, and `local-fleet link cut|restore`
  /// against it: the site is unreachable through the kubeconfig while cut, and back after.
  @Test func aRunningLocalFleetCutsAndRestoresALinkOnDemand() async throws {
    let directory = try TemporaryDirectory()
    let kubeconfig = directory.url.appendingPathComponent("kubeconfig").path
    let fleet = try WavesyncProcess.start([
      "local-fleet", "--sites", "store-1", "--kubeconfig", kubeconfig, "--links",
      "--downlink", "20Mbps", "--uplink", "5Mbps", "--latency", "10ms",
    ])
    defer { fleet.kill() }
    try await eventually("the local fleet ready") { note in
      note(fleet.output + fleet.errors)
      guard fleet.isRunning else { throw TimedOut(description: "local-fleet exited: \(fleet.errors)") }
      return fleet.output.contains("local fleet ready") ? () : nil
    }
    #expect(fleet.output.contains("store-1: down 20Mbps, up 5Mbps, latency 10ms"), "\(fleet.output)")
    let connection = try Kubeconfig.load(paths: [kubeconfig]).connection(context: "store-1")
    let client = KubeClient(connection: connection, timeoutSeconds: 10)
    let namespace = ObjectReference(apiVersion: "v1", kind: "Namespace", name: "default")
    #expect(try await client.get(namespace) != nil)

    let unknown = try await WavesyncProcess.run(
      ["local-fleet", "link", "cut", "store-9", "--kubeconfig", kubeconfig])
    #expect(unknown.status == 1, "\(unknown)")
    #expect(unknown.errors.contains("store-9 has no link in the local fleet; linked sites: store-1"))

    let cut = try await WavesyncProcess.run(
      ["local-fleet", "link", "cut", "store-1", "--kubeconfig", kubeconfig])
    #expect(cut.status == 0, "\(cut)")
    #expect(cut.output == "link to store-1 cut\n")
    await #expect(throws: KubeError.self) { try await client.get(namespace) }

    let restore = try await WavesyncProcess.run(
      ["local-fleet", "link", "restore", "store-1", "--kubeconfig", kubeconfig])
    #expect(restore.status == 0, "\(restore)")
    #expect(restore.output == "link to store-1 restored\n")
    #expect(try await client.get(namespace) != nil)

    fleet.terminate()
    let stopped = try await fleet.finish()
    #expect(stopped.status == 0, "\(stopped)")
    #expect(!FileManager.default.fileExists(atPath: kubeconfig + ".links"))
  }
}
