import Foundation
import Model

/// Shared by the Model test files: fixture access and a value comparison that can say "NaN".

/// The repository's `fixtures/` folder, found from this file's path.
let modelFixtures = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent()  // ModelTests
  .deletingLastPathComponent()  // Tests
  .deletingLastPathComponent()  // the package
  .appendingPathComponent("fixtures")

func fixtureText(_ relativePath: String) throws -> String {
  try String(contentsOf: modelFixtures.appendingPathComponent(relativePath), encoding: .utf8)
}

/// `==` on values (key order counts), except that NaN equals NaN, so tables can hold `.nan`.
func sameValue(_ a: Value, _ b: Value) -> Bool {
  switch (a, b) {
  case (.double(let x), .double(let y)):
    return x == y || (x.isNaN && y.isNaN)
  case (.array(let x), .array(let y)):
    return x.count == y.count && zip(x, y).allSatisfy { sameValue($0, $1) }
  case (.object(let x), .object(let y)):
    return x.keys.elementsEqual(y.keys) && zip(x.values, y.values).allSatisfy { sameValue($0, $1) }
  default:
    return a == b
  }
}

/// The value, or the YAML error, a piece of YAML gives under one rule set.
func yamlOutcome(
  _ text: String, file: String? = nil, rules: ScalarRules
) -> Result<[Value], YAMLError> {
  do throws(YAMLError) {
    return .success(try YAML.documents(from: text, file: file, rules: rules).map(\.value))
  } catch {
    return .failure(error)
  }
}
