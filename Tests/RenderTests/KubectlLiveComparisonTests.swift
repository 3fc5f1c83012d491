import Foundation
import GitSource
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
    let folder = RepositoryPaths.fixture("kustomize-cases/\(name)")
    let root =
      (try? String(contentsOf: folder.appendingPathComponent("root"), encoding: .utf8))?
      .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    let directory = folder.appendingPathComponent("input").appendingPathComponent(root)
    let theirs = try await CommandRunner.run(kubectl!, ["kustomize", directory.path])
    let tree = try LocalDirectoryTree(root: folder.appendingPathComponent("input").path)
    let mine = YAML.emit(try KustomizeBuilder(tree: tree).build(directory: root), sortKeys: true)
    if theirs.unicodeScalars.contains(where: KustomizeCompatibilityTests.lineSeparators.contains) {
      // libyaml escapes U+2028/U+2029 where kubectl writes them raw: compare values there.
      #expect(
        try YAML.documents(from: theirs, rules: .kustomize).map(\.value.keysSorted)
          == YAML.documents(from: mine, rules: .kustomize).map(\.value.keysSorted))
    } else {
      #expect(mine == theirs)
    }
  }
}

private let kubectl: String? = ["/usr/bin/kubectl", "/usr/local/bin/kubectl"].first {
  FileManager.default.isExecutableFile(atPath: $0)
}
