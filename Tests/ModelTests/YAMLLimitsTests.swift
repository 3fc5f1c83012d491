import Model
import Testing

/// Hostile YAML is refused at the line where it crosses a limit, before it costs stack or memory.
@Suite("YAML limits")
struct YAMLLimitsTests {
  static func error(_ text: String, limits: YAMLLimits = .default) -> YAMLError? {
    do throws(YAMLError) {
      _ = try YAML.documents(from: text, file: "hostile.yaml", rules: .kubectl, limits: limits)
      return nil
    } catch {
      return error
    }
  }

  /// A mapping nested `depth` levels deep in block style, one level per line.
  static func blockNesting(_ depth: Int) -> String {
    (0..<depth).map { String(repeating: " ", count: $0) + "k:" }.joined(separator: "\n") + " 1\n"
  }

  @Test func deepFlowNestingIsRefusedWhereItPassesTheLimit() {
    let depth = 20_000
    let text = "a: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    let error = Self.error(text)
    #expect(error?.file == "hostile.yaml")
    #expect(error?.line == 1)
    // `a:` opens the first level; list 1,000 opens level 1,001 at column 3 + 999.
    #expect(error?.column == 1_003)
    #expect(error?.message == "mappings and lists nested more than 1000 levels deep")
  }

  @Test func deepBlockNestingNamesTheLine() {
    let error = Self.error(Self.blockNesting(1_500))
    #expect(error?.line == 1_001, "\(String(describing: error))")
    #expect(error?.message == "mappings and lists nested more than 1000 levels deep")
  }

  @Test func nestingUpToTheLimitIsRead() throws {
    let documents = try YAML.documents(from: Self.blockNesting(1_000), rules: .kubectl)
    var value = documents[0].value
    var levels = 0
    while case .object(let entries) = value, let inner = entries["k"] {
      levels += 1
      value = inner
    }
    #expect(levels == 1_000)
    #expect(value == .int(1))
    // Walks that recurse (emit, compare) get through the deepest value allowed.
    #expect(YAML.emit(documents[0].value).hasSuffix("k: 1\n"))
    #expect(documents[0].value == documents[0].value)
  }

  /// Ten levels, each repeating the one before nine times: 9^10 values once expanded.
  static let billionLaughs: String = {
    var lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in 1...9 {
      let repeats = Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", ")
      lines.append("l\(level): &l\(level) [\(repeats)]")
    }
    return lines.joined(separator: "\n") + "\n"
  }()

  @Test func billionLaughsIsRefusedWithinAFewLines() {
    let error = Self.error(Self.billionLaughs)
    // Up to level 3, aliases repeat 8,289 values in all; level 4's first alias adds 7,381 more,
    // past the 10,000 allowance.
    #expect(error?.line == 5, "\(String(describing: error))")
    #expect(
      error?.message
        == "aliases repeat more than 10000 values beyond what the file writes out (a \"billion laughs\"?)"
    )
  }

  @Test func ordinaryAliasesAndMergeKeysStillWork() throws {
    let text = """
      defaults: &defaults {cpu: 100m, memory: 64Mi}
      small: *defaults
      large:
        <<: *defaults
        memory: 1Gi

      """
    let value = try YAML.value(from: text, rules: .kustomize)
    #expect(value["small"] == ["cpu": "100m", "memory": "64Mi"])
    #expect(value["large"]?["memory"] == "1Gi")
  }

  @Test func valuesAreCountedAcrossTheDocumentsOfAFile() {
    let limits = YAMLLimits(maxDepth: 10, maxValues: 20, aliasAllowance: 100, maxDocuments: 10)
    let sixValues = "[a, b, c, d, e]\n"  // the list and its five items
    #expect(
      Self.error(Array(repeating: sixValues, count: 3).joined(separator: "---\n"), limits: limits)
        == nil)
    let error = Self.error(
      Array(repeating: sixValues, count: 4).joined(separator: "---\n"), limits: limits)
    #expect(error?.line == 7)
    #expect(
      error?.message
        == "the file holds more than 20 values (aliases counted at the size of what they repeat)")
  }

  @Test func aliasesMayRepeatUpToTheAllowance() {
    let limits = YAMLLimits(maxDepth: 10, maxValues: 1_000, aliasAllowance: 4, maxDocuments: 10)
    // The anchored list is 4 values and each line writes out one key: after line 4, aliases
    // repeat 12 values against 9 written (+ 4 allowed); line 5 makes it 16 against 10 (+ 4).
    let lines = ["a: &a [1, 2, 3]", "b: *a", "c: *a", "d: *a", "e: *a"]
    #expect(Self.error(lines.prefix(4).joined(separator: "\n"), limits: limits) == nil)
    let error = Self.error(lines.joined(separator: "\n"), limits: limits)
    #expect(error?.line == 5, "\(String(describing: error))")
  }

  @Test func tooManyDocumentsAreRefusedAtTheFirstOneTooMany() {
    let text = String(repeating: "---\nx: 1\n", count: 10_001)
    let error = Self.error(text)
    #expect(error?.line == 20_001)
    #expect(error?.message == "more than 10000 YAML documents in one file")
  }
}
