import Foundation
import GitSource
import Model
import Render
import Testing
import WavesyncTesting

/// One case folder of a kustomize corpus: `input/` (the repository), an optional `root` file (the
/// directory to build), and what kubectl did with it (expected.yaml or kubectl-error.txt).
struct KustomizeCase {
  let folder: URL

  init(corpus: String, name: String) {
    folder = RepositoryPaths.fixture("\(corpus)/\(name)")
  }

  /// A file of the case folder, or nil when the case has none.
  func text(_ file: String) throws -> String? {
    let url = folder.appendingPathComponent(file)
    guard FileManager.default.fileExists(atPath: url.path) else { return nil }
    return try String(contentsOf: url, encoding: .utf8)
  }

  /// The directory to build, relative to input/.
  func root() throws -> String {
    try text("root")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
  }

  var input: URL { folder.appendingPathComponent("input") }

  func build() throws -> [Value] {
    try KustomizeBuilder(tree: LocalDirectoryTree(root: input.path)).build(directory: root())
  }

  /// The objects are the ones kubectl printed (same order, same values) and print as the same text.
  static func expectSameOutput(
    _ objects: [Value], as expectedText: String, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let expected = try YAML.documents(from: expectedText, rules: .kustomize).map(\.value)
    #expect(objects.count == expected.count, "object count", sourceLocation: sourceLocation)
    for (index, (mine, theirs)) in zip(objects, expected).enumerated() {
      #expect(
        mine.keysSorted == theirs.keysSorted, "object \(index): \(name(of: theirs))",
        sourceLocation: sourceLocation)
    }
    // libyaml escapes U+2028/U+2029 where kubectl writes them raw (one zoo case); the values
    // above still match there.
    if !expectedText.unicodeScalars.contains(where: lineSeparators.contains) {
      #expect(
        YAML.emit(objects, sortKeys: true) == expectedText, sourceLocation: sourceLocation)
    }
  }

  /// Whether the objects print exactly as kubectl printed (the values, where kubectl writes line
  /// separators raw).
  static func sameOutput(_ objects: [Value], as expectedText: String) throws -> Bool {
    if expectedText.unicodeScalars.contains(where: lineSeparators.contains) {
      return try YAML.documents(from: expectedText, rules: .kustomize).map(\.value.keysSorted)
        == objects.map(\.keysSorted)
    }
    return YAML.emit(objects, sortKeys: true) == expectedText
  }

  static let lineSeparators: Set<Unicode.Scalar> = ["\u{2028}", "\u{2029}", "\u{85}"]

  static func name(of object: Value) -> String {
    "\(object["kind"]?.stringValue ?? "?") \(object[path: ["metadata", "name"]]?.stringValue ?? "?")"
  }
}
