import Foundation
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
}
