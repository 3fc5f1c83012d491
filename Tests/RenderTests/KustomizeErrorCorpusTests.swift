import Foundation
import GitSource
import Model
import Render
import Testing
import WavesyncTesting

/// fixtures/kustomize-errors: inputs kustomize rejects, or Wavesync rejects on purpose. Each case
/// either fails with the exact message in wavesync-error.txt, or renders what kubectl printed
/// (kubectl-output.yaml) or, where kubectl itself crashes, what wavesync-output.yaml records.
@Suite("Broken kustomizations")
struct KustomizeErrorCorpusTests {
  static let cases = RepositoryPaths.cases(in: "kustomize-errors")

  @Test(arguments: cases)
  func failsClearlyOrMatchesKubectl(_ name: String) throws {
    let folder = RepositoryPaths.fixture("kustomize-errors/\(name)")
    func read(_ file: String) -> String? {
      try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
    }
    let root = read("root")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    let builder = KustomizeBuilder(tree: try LocalDirectoryTree(root: folder.path))
    let directory = FilePath.join("input", root)

    if let expectedError = read("wavesync-error.txt")?.trimmingCharacters(in: .newlines) {
      let error = #expect(throws: RenderError.self) { try builder.build(directory: directory) }
      #expect(error?.description == expectedError)
      // Every error names a file of the case.
      #expect(error?.file?.hasPrefix("input") == true)
      return
    }
    let expected = try #require(read("wavesync-output.yaml") ?? read("kubectl-output.yaml"))
    #expect(YAML.emit(try builder.build(directory: directory), sortKeys: true) == expected)
  }

  /// Where kubectl fails, Wavesync either fails too or records a deliberate answer.
  @Test(arguments: cases)
  func everyKubectlFailureIsAccountedFor(_ name: String) {
    let folder = RepositoryPaths.fixture("kustomize-errors/\(name)")
    let manager = FileManager.default
    let kubectlFailed = manager.fileExists(
      atPath: folder.appendingPathComponent("kubectl-error.txt").path)
    let wavesyncFails = manager.fileExists(
      atPath: folder.appendingPathComponent("wavesync-error.txt").path)
    let recorded = manager.fileExists(
      atPath: folder.appendingPathComponent("wavesync-output.yaml").path)
    if kubectlFailed { #expect(wavesyncFails || recorded) }
  }
}
