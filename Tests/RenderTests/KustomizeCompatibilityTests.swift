import Foundation
import GitSource
import Model
import Render
import Testing
import WavesyncTesting

/// Every case of fixtures/kustomize-cases renders exactly what `kubectl kustomize` printed for it
/// (expected.yaml): the same objects in the same order with the same values, and the same text.
@Suite("Kustomize compatibility with kubectl kustomize")
struct KustomizeCompatibilityTests {
  static let cases = RepositoryPaths.cases(in: "kustomize-cases")

  @Test func corpusIsThere() {
    #expect(Self.cases.count >= 60)
  }

  @Test(arguments: cases)
  func rendersAsKubectlKustomize(_ name: String) throws {
    let folder = RepositoryPaths.fixture("kustomize-cases/\(name)")
    let expectedText = try String(
      contentsOf: folder.appendingPathComponent("expected.yaml"), encoding: .utf8)
    let root =
      (try? String(contentsOf: folder.appendingPathComponent("root"), encoding: .utf8))?
      .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    let tree = try LocalDirectoryTree(root: folder.appendingPathComponent("input").path)

    let objects = try KustomizeBuilder(tree: tree).build(directory: root)

    let expected = try YAML.documents(from: expectedText, rules: .kustomize).map(\.value)
    #expect(objects.count == expected.count, "object count")
    for (index, (mine, theirs)) in zip(objects, expected).enumerated() {
      #expect(mine.keysSorted == theirs.keysSorted, "object \(index): \(Self.name(of: theirs))")
    }
    // libyaml escapes U+2028/U+2029 where kubectl writes them raw (one zoo case); the values
    // above still match there.
    if !expectedText.unicodeScalars.contains(where: Self.lineSeparators.contains) {
      #expect(YAML.emit(objects, sortKeys: true) == expectedText)
    }
  }

  static let lineSeparators: Set<Unicode.Scalar> = ["\u{2028}", "\u{2029}", "\u{85}"]

  static func name(of object: Value) -> String {
    "\(object["kind"]?.stringValue ?? "?") \(object[path: ["metadata", "name"]]?.stringValue ?? "?")"
  }
}
