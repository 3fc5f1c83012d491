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

  /// `local-fleet --links`: a site of the repository takes its link from there, another one
  /// from the options. `local-fleet link cut|restore` then acts on the running fleet: the site
  /// is unreachable through the kubeconfig while cut, and back after.
  @Test func aRunningLocalFleetCutsAndRestoresALinkOnDemand() async throws {
    let directory = try TemporaryDirectory()
    let kubeconfig = directory.url.appendingPathComponent("kubeconfig").path
    let fleet = try WavesyncProcess.start(
      [
        "local-fleet", "--sites", "lab-dublin-k3s,store-1", "--kubeconfig", kubeconfig, "--links",
        "--repo", RepositoryPaths.fixture("retail-fleet").path,
        "--downlink", "20Mbps", "--uplink", "5Mbps", "--latency", "10ms",
      ], environment: ["WAVESYNC_CACHE_DIR": directory.url.appendingPathComponent("cache").path])
    defer { fleet.kill() }
    try await eventually("the local fleet ready") { note in
      note(fleet.output + fleet.errors)
      guard fleet.isRunning else {
        throw TimedOut(description: "local-fleet exited: \(fleet.errors)")
      }
      return fleet.output.contains("local fleet ready") ? () : nil
    }
    // lab-dublin (context lab-dublin-k3s) has a 300Mbps/100Mbps link and the label latency: 4ms.
    #expect(
      fleet.output.contains("  lab-dublin-k3s: down 300Mbps, up 100Mbps, latency 4ms\n"),
      "\(fleet.output)")
    #expect(fleet.output.contains("  store-1: down 20Mbps, up 5Mbps, latency 10ms\n"))
    let connection = try Kubeconfig.load(paths: [kubeconfig]).connection(context: "store-1")
    let client = KubeClient(connection: connection, timeoutSeconds: 10)
    let namespace = ObjectReference(apiVersion: "v1", kind: "Namespace", name: "default")
    #expect(try await client.get(namespace) != nil)

    let unknown = try await WavesyncProcess.run(
      ["local-fleet", "link", "cut", "store-9", "--kubeconfig", kubeconfig])
    #expect(unknown.status == 1, "\(unknown)")
    #expect(
      unknown.errors.contains(
        "store-9 has no link in the local fleet; linked sites: lab-dublin-k3s, store-1"),
      "\(unknown)")

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

    // The other site was never cut.
    let dublin = try Kubeconfig.load(paths: [kubeconfig]).connection(context: "lab-dublin-k3s")
    #expect(try await KubeClient(connection: dublin).get(namespace) != nil)

    fleet.terminate()
    let stopped = try await fleet.finish()
    #expect(stopped.status == 0, "\(stopped)")
    #expect(!FileManager.default.fileExists(atPath: kubeconfig + ".links"))
  }

  @Test func badLinkOptionsAreRefusedNamingTheOption() async throws {
    let directory = try TemporaryDirectory()
    let kubeconfig = directory.url.appendingPathComponent("kubeconfig").path
    let slow = try await WavesyncProcess.run(
      ["local-fleet", "--sites", "store-1", "--kubeconfig", kubeconfig, "--downlink", "5Mbps"])
    #expect(slow.status == 1, "\(slow)")
    #expect(slow.errors == "error: --downlink shape links: give --links too\n")
    let late = try await WavesyncProcess.run([
      "local-fleet", "--sites", "store-1", "--kubeconfig", kubeconfig, "--links",
      "--latency", "soon",
    ])
    #expect(late.status == 1, "\(late)")
    #expect(
      late.errors
        == "error: --latency: expected a duration of at most a minute like 600ms, found \"soon\"\n")
    #expect(!FileManager.default.fileExists(atPath: kubeconfig))
  }
}
