import Foundation
import Model
import Render
import Testing
import WavesyncTesting

/// Runs the real `kubectl kustomize` on every compatibility case and compares its output with
/// Wavesync's, byte for byte: this keeps the recorded corpus honest. kubectl runs offline; the
/// suite is skipped on a machine without it.
@Suite(
  "Live comparison with kubectl kustomize", .enabled(if: kubectl != nil, "kubectl is not installed")
)
struct KubectlLiveComparisonTests {

  @Test(arguments: KustomizeCompatibilityTests.cases)
  func matchesKubectlNow(_ name: String) async throws {
    let kase = KustomizeCase(corpus: "kustomize-cases", name: name)
    let directory = kase.input.appendingPathComponent(try kase.root())
    let theirs = try await CommandRunner.run(kubectl!, ["kustomize", directory.path])
    let mine = try kase.build()
    #expect(try KustomizeCase.sameOutput(mine, as: theirs))
  }
}

private let kubectl: String? = ["/usr/bin/kubectl", "/usr/local/bin/kubectl"].first {
  FileManager.default.isExecutableFile(atPath: $0)
}
