import Foundation
import Testing

@testable import Model

/// One plain scalar and what each rule set reads it as.
///
/// `.kubectl` values were checked against go-yaml v2 (`kubectl label --local -o json`, which
/// runs sigs.k8s.io/yaml over go-yaml v2); the one deliberate difference is that integers beyond
/// Int64 stay exact `.uint`, as sigs.k8s.io/yaml hands them on, where kubectl's unstructured
/// decoder later rounds them to a float. `.kustomize` values come from
/// fixtures/kustomize-cases/54-scalar-zoo-plain-values (see `zooFixtureAgreesWithTable`) and
/// from `kubectl kustomize` v5.5.0 runs on the extra spellings. Where kubectl is installed,
/// `PlainScalarLiveTests` re-checks both columns against it.
struct PlainScalarCase: Sendable, CustomTestStringConvertible {
  var text: String
  var kubectl: Value
  var kustomize: Value

  init(_ text: String, kubectl: Value, kustomize: Value) {
    self.text = text
    self.kubectl = kubectl
    self.kustomize = kustomize
  }

  init(_ text: String, both: Value) {
    self.init(text, kubectl: both, kustomize: both)
  }

  func expected(under rules: ScalarRules) -> Value {
    rules == .kubectl ? kubectl : kustomize
  }

  var testDescription: String { text.debugDescription }
}

private let yamlOneOneTrue = ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"]
private let yamlOneOneFalse = ["n", "N", "no", "No", "NO", "off", "Off", "OFF"]

let plainScalarCases: [PlainScalarCase] =
  [
    // Booleans both tools agree on.
    .init("true", both: true), .init("True", both: true), .init("TRUE", both: true),
    .init("false", both: false), .init("False", both: false), .init("FALSE", both: false),
  ]
  // YAML 1.1 booleans: kubectl only.
  + yamlOneOneTrue.map { .init($0, kubectl: true, kustomize: .string($0)) }
  + yamlOneOneFalse.map { .init($0, kubectl: false, kustomize: .string($0)) }
  + [
    // Other capitalisations are text under both.
    .init("tRUE", both: "tRUE"), .init("TRue", both: "TRue"), .init("yES", both: "yES"),
    .init("oN", both: "oN"), .init("nO", both: "nO"), .init("ofF", both: "ofF"),
    .init("Yes!", both: "Yes!"), .init("y.", both: "y."),

    // Null.
    .init("", both: nil), .init("~", both: nil), .init("null", both: nil),
    .init("Null", both: nil), .init("NULL", both: nil),
    .init("nULL", both: "nULL"), .init("NUll", both: "NUll"), .init("~~", both: "~~"),

    // Integers: prefixes, signs, underscores, YAML 1.1 octal.
    .init("0", both: 0), .init("-0", both: 0), .init("+0", both: 0), .init("00", both: 0),
    .init("-00", both: 0), .init("+12", both: 12), .init("-42", both: -42),
    .init("0777", both: 511), .init("012", both: 10), .init("-012", both: -10),
    .init("0o17", both: 15), .init("0O17", both: 15),
    .init("0x1F", both: 31), .init("0X1F", both: 31), .init("0x1f", both: 31),
    .init("+0x1F", both: 31), .init("-0x1F", both: -31),
    .init("0b101", both: 5), .init("0B101", both: 5),
    .init("1_000", both: 1000), .init("-1_000", both: -1000), .init("1__0", both: 10),
    .init("1_", both: 1), .init("0x_1F", both: 31), .init("0b1_01", both: 5),
    // `08` and `09` are no octal numbers, but they match the float syntax: 8.0, then 8.
    .init("08", both: 8), .init("09", both: 9),
    .init("_1", both: "_1"), .init("0o8", both: "0o8"), .init("0b2", both: "0b2"),
    .init("0x", both: "0x"), .init("0o", both: "0o"), .init("0b", both: "0b"),
    .init("0xG", both: "0xG"), .init("0x-1", both: "0x-1"), .init("0x1F.5", both: "0x1F.5"),

    // Floats, which reach the tools' output through JSON: whole ones become integers.
    .init("1e3", both: 1000), .init("1E3", both: 1000), .init("12e3", both: 12000),
    .init("1e10", both: 10_000_000_000), .init("1E-2", both: 0.01), .init("2.5e-3", both: 0.0025),
    .init("6.02e+23", both: 6.02e23), .init("6.02e23", both: 6.02e23),
    .init(".5", both: 0.5), .init("-.5", both: -0.5), .init("+.5", both: 0.5),
    .init(".5e1", both: 5), .init("1.10", both: 1.1), .init("1.0", both: 1), .init("3.", both: 3),
    .init("1.", both: 1), .init("-1.", both: -1), .init("0.0", both: 0), .init("-0.0", both: 0),
    .init("00.5", both: 0.5), .init("007.5", both: 7.5), .init("0.8", both: 0.8),
    .init("1_000.5", both: 1000.5), .init("0.5_0", both: 0.5), .init("1e3_0", both: 1e30),
    .init("1e-400", both: 0), .init("1e-7", both: 1e-7), .init("0.000001", both: 0.000001),
    .init("123456789.0", both: 123_456_789),
    .init("1e19", both: .uint(10_000_000_000_000_000_000)),
    .init("1.0e+20", both: 1e20), .init("1.0e+21", both: 1e21),
    .init(".inf", both: .double(.infinity)), .init(".Inf", both: .double(.infinity)),
    .init(".INF", both: .double(.infinity)), .init("+.inf", both: .double(.infinity)),
    .init("-.inf", both: .double(-.infinity)), .init("-.Inf", both: .double(-.infinity)),
    .init("-.INF", both: .double(-.infinity)),
    .init(".nan", both: .double(.nan)), .init(".NaN", both: .double(.nan)),
    .init(".NAN", both: .double(.nan)), .init(".INf", both: ".INf"), .init(".Nan", both: ".Nan"),

    // Look like numbers, are not.
    .init("1.2.3", both: "1.2.3"), .init("1.0.0", both: "1.0.0"), .init("1e", both: "1e"),
    .init("1e+", both: "1e+"), .init(".e3", both: ".e3"), .init(".", both: "."),
    .init("+", both: "+"), .init("1e3.5", both: "1e3.5"), .init("1,000", both: "1,000"),
    .init("12abc", both: "12abc"), .init("--1", both: "--1"), .init("+-1", both: "+-1"),
    // A float too large for a double is an error to Go's ParseFloat, so the text stays text.
    .init("1e400", both: "1e400"), .init("-1e400", both: "-1e400"),
    // YAML 1.1 base-60 numbers are not read as numbers by either decoder.
    .init("1:20", both: "1:20"), .init("-1:20", both: "-1:20"),
    .init("190:20:30.15", both: "190:20:30.15"),
    // Digits outside ASCII are not digits to Go's strconv.
    .init("٣", both: "٣"), .init("１２", both: "１２"),

    // Integers at and beyond the 64-bit limits.
    .init("9223372036854775807", both: .int(.max)),
    .init("-9223372036854775808", both: .int(.min)),
    .init("9223372036854775808", both: .uint(9_223_372_036_854_775_808)),
    .init("18446744073709551615", both: .uint(.max)),
    .init("0xFFFFFFFFFFFFFFFF", both: .uint(.max)),
    .init("01777777777777777777777", both: .uint(.max)),
    .init("-0x8000000000000000", both: .int(.min)),
    .init("-9223372036854775809", both: .double(-9.223372036854775809e18)),
    .init("18446744073709551616", both: .double(1.8446744073709552e19)),
    .init("99999999999999999999", both: .double(1e20)),
    .init("123456789012345678901234", both: .double(1.2345678901234568e23)),
    .init("0x10000000000000000", both: "0x10000000000000000"),
    .init("-0x8000000000000001", both: "-0x8000000000000001"),

    // Timestamps: text to kubectl; RFC 3339 text (Go's time.RFC3339Nano) to kustomize.
    .init("2024-01-31", kubectl: "2024-01-31", kustomize: "2024-01-31T00:00:00Z"),
    .init("2024-1-5", kubectl: "2024-1-5", kustomize: "2024-01-05T00:00:00Z"),
    .init("0024-01-31", kubectl: "0024-01-31", kustomize: "0024-01-31T00:00:00Z"),
    .init("2024-02-29", kubectl: "2024-02-29", kustomize: "2024-02-29T00:00:00Z"),
    .init("2024-01-31T10:00:00Z", both: "2024-01-31T10:00:00Z"),
    .init(
      "2001-12-14t21:59:43.10-05:00", kubectl: "2001-12-14t21:59:43.10-05:00",
      kustomize: "2001-12-14T21:59:43.1-05:00"),
    .init(
      "2024-01-31T10:00:00+00:00", kubectl: "2024-01-31T10:00:00+00:00",
      kustomize: "2024-01-31T10:00:00Z"),
    .init(
      "2024-01-31T10:00:00-00:00", kubectl: "2024-01-31T10:00:00-00:00",
      kustomize: "2024-01-31T10:00:00Z"),
    .init(
      "2024-01-31T10:00:00.000Z", kubectl: "2024-01-31T10:00:00.000Z",
      kustomize: "2024-01-31T10:00:00Z"),
    .init("2024-01-31T10:00:00.123456789Z", both: "2024-01-31T10:00:00.123456789Z"),
    .init("2024-01-31T10:00:00.5+01:30", both: "2024-01-31T10:00:00.5+01:30"),
    .init(
      "2024-01-31T1:2:3Z", kubectl: "2024-01-31T1:2:3Z", kustomize: "2024-01-31T01:02:03Z"),
    .init(
      "2024-01-31 10:00:00", kubectl: "2024-01-31 10:00:00", kustomize: "2024-01-31T10:00:00Z"),
    .init(
      "2024-01-31 1:00:00.5", kubectl: "2024-01-31 1:00:00.5",
      kustomize: "2024-01-31T01:00:00.5Z"),
    // Go's time.Parse takes any number of fraction digits and keeps nanoseconds (truncating),
    // accepts a decimal comma, lets one space in the layout match several, and allows an
    // offset minute of 60.
    .init(
      "2024-01-31T10:00:00.1234567899Z", kubectl: "2024-01-31T10:00:00.1234567899Z",
      kustomize: "2024-01-31T10:00:00.123456789Z"),
    .init(
      "2024-01-31T10:00:00,5Z", kubectl: "2024-01-31T10:00:00,5Z",
      kustomize: "2024-01-31T10:00:00.5Z"),
    .init(
      "2024-01-31  10:00:00", kubectl: "2024-01-31  10:00:00",
      kustomize: "2024-01-31T10:00:00Z"),
    .init(
      "2024-01-31T10:00:00+05:60", kubectl: "2024-01-31T10:00:00+05:60",
      kustomize: "2024-01-31T10:00:00+06:00"),
    // Not timestamps to either tool.
    .init("2001-12-14 21:59:43.10 -5", both: "2001-12-14 21:59:43.10 -5"),
    .init("2024-02-30", both: "2024-02-30"), .init("2023-02-29", both: "2023-02-29"),
    .init("2024-13-01", both: "2024-13-01"), .init("24-01-31", both: "24-01-31"),
    .init("2024-01-31T10:00:00+05", both: "2024-01-31T10:00:00+05"),
    .init("2024-01-31 10:00:00Z", both: "2024-01-31 10:00:00Z"),
    .init("2024-01-31T25:00:00Z", both: "2024-01-31T25:00:00Z"),
    .init("2024-01-31T24:00:00Z", both: "2024-01-31T24:00:00Z"),
    .init("2024-01-31T10:00:60Z", both: "2024-01-31T10:00:60Z"),
    .init("2024-01-31T10:00Z", both: "2024-01-31T10:00Z"),
    .init("2024-01-31T10:00:00", both: "2024-01-31T10:00:00"),
    .init("2024-01-31T10:00:00.5", both: "2024-01-31T10:00:00.5"),
    .init("2024-01-31T10:00:00.Z", both: "2024-01-31T10:00:00.Z"),
    .init("2024-01-31t10:00:00z", both: "2024-01-31t10:00:00z"),
    .init("2024-01-31T10:00:00 Z", both: "2024-01-31T10:00:00 Z"),

    // Plain text from the fixture zoo.
    .init("abc:def", both: "abc:def"), .init("hello", both: "hello"),
    .init("hello world", both: "hello world"), .init("50%", both: "50%"), .init("=", both: "="),
    .init("<", both: "<"), .init("?x", both: "?x"), .init("a@b", both: "a@b"),
    .init("a`b", both: "a`b"),
  ]

@Suite("Plain scalars under the kubectl and kustomize rules")
struct ScalarRulesTests {
  @Test(arguments: plainScalarCases)
  func kubectlRules(_ c: PlainScalarCase) {
    let value = ScalarRules.kubectl.resolvePlain(c.text)
    #expect(sameValue(value, c.kubectl), "\(c.text.debugDescription) → \(value)")
  }

  @Test(arguments: plainScalarCases)
  func kustomizeRules(_ c: PlainScalarCase) {
    let value = ScalarRules.kustomize.resolvePlain(c.text)
    #expect(sameValue(value, c.kustomize), "\(c.text.debugDescription) → \(value)")
  }

  /// The parser hands plain scalars to the rules unchanged, in values and in sequences.
  @Test(arguments: plainScalarCases, [ScalarRules.kubectl, .kustomize])
  func plainScalarInADocument(_ c: PlainScalarCase, rules: ScalarRules) throws {
    let expected = c.expected(under: rules)
    let mapping = try YAML.value(from: "v: \(c.text)\n", rules: rules)
    #expect(sameValue(mapping["v"] ?? "<missing>", expected))
    let sequence = try YAML.value(from: "- \(c.text)\n", rules: rules)
    #expect(sameValue(sequence[0] ?? "<missing>", expected))
  }

  /// Quotes and block scalars always make text, whatever the text looks like.
  @Test(arguments: plainScalarCases, [ScalarRules.kubectl, .kustomize])
  func quotedScalarsAreStrings(_ c: PlainScalarCase, rules: ScalarRules) throws {
    let single = "'" + c.text.replacingOccurrences(of: "'", with: "''") + "'"
    let double = JSON.quoted(c.text)
    for form in [single, double] {
      let value = try YAML.value(from: "v: \(form)\n", rules: rules)
      #expect(value["v"] == .string(c.text), "v: \(form)")
    }
    guard !c.text.isEmpty else { return }
    let literal = try YAML.value(from: "v: |-\n  \(c.text)\n", rules: rules)
    #expect(literal["v"] == .string(c.text))
  }

  @Test func everyBooleanSpellingIsCovered() {
    let texts = Set(plainScalarCases.map(\.text))
    for word in ["true", "True", "TRUE", "false", "False", "FALSE"] + yamlOneOneTrue
      + yamlOneOneFalse
    {
      #expect(texts.contains(word), "\(word) missing from the table")
    }
    #expect(ScalarRules.kubectl.resolveBool("yes") == true)
    #expect(ScalarRules.kustomize.resolveBool("yes") == nil)
  }

  /// The kustomize column agrees with what `kubectl kustomize` printed for the zoo: every plain
  /// scalar of input/zoo.yaml is in the table, with the value expected.yaml holds for it.
  @Test func zooFixtureAgreesWithTable() throws {
    let folder = "kustomize-cases/54-scalar-zoo-plain-values/"
    let input = try fixtureText(folder + "input/zoo.yaml")
    let expected = try YAML.value(
      from: try fixtureText(folder + "expected.yaml"), rules: .kustomize)
    let spec = try #require(expected["spec"]?.objectValue)
    let table = Dictionary(plainScalarCases.map { ($0.text, $0) }, uniquingKeysWith: { a, _ in a })

    var checked = 0
    var inSpec = false
    for line in input.split(separator: "\n") {
      if line == "spec:" {
        inSpec = true
        continue
      }
      guard inSpec, line.hasPrefix("  "), let colon = line.firstIndex(of: ":") else { continue }
      let key = String(line[..<colon].dropFirst(2))
      let text = String(line[line.index(after: colon)...].drop { $0 == " " })
      let fromKubectl = try #require(spec[key], "\(key) missing from expected.yaml")
      guard let row = table[text] else {
        Issue.record("zoo scalar \(text.debugDescription) (\(key)) is not in the table")
        continue
      }
      #expect(sameValue(row.kustomize, fromKubectl), "\(key): \(text.debugDescription)")
      checked += 1
    }
    #expect(checked == spec.count)
    #expect(checked >= 70)
  }

  /// Reading the whole zoo file gives exactly what kubectl kustomize printed.
  @Test func zooFileReadsAsKustomizePrintedIt() throws {
    let folder = "kustomize-cases/54-scalar-zoo-plain-values/"
    let mine = try YAML.value(from: try fixtureText(folder + "input/zoo.yaml"), rules: .kustomize)
    let theirs = try YAML.value(from: try fixtureText(folder + "expected.yaml"), rules: .kustomize)
    #expect(sameValue(mine.keysSorted, theirs.keysSorted))
  }
}

/// What an explicitly tagged scalar gives: a value, or an error whose message contains the text.
enum TaggedOutcome: Sendable, Equatable, CustomStringConvertible {
  case value(Value)
  case error(String)

  var description: String {
    switch self {
    case .value(let v): "\(v)"
    case .error(let message): "error containing \(message.debugDescription)"
    }
  }
}

struct TaggedScalarCase: Sendable, CustomTestStringConvertible {
  var yaml: String
  var kubectl: TaggedOutcome
  var kustomize: TaggedOutcome

  init(_ yaml: String, kubectl: TaggedOutcome, kustomize: TaggedOutcome) {
    self.yaml = yaml
    self.kubectl = kubectl
    self.kustomize = kustomize
  }

  init(_ yaml: String, _ both: Value) {
    self.init(yaml, kubectl: .value(both), kustomize: .value(both))
  }

  init(_ yaml: String, error: String) {
    self.init(yaml, kubectl: .error(error), kustomize: .error(error))
  }

  var testDescription: String { yaml.debugDescription }
}

/// Checked against `kubectl label --local -o json` (go-yaml v2) and `kubectl kustomize`.
let taggedScalarCases: [TaggedScalarCase] = [
  .init("!!str 123", "123"), .init("!!str true", "true"), .init("!!str ~", "~"),
  .init("!!str 0x1F", "0x1F"), .init("!!str", ""),
  .init("!!int \"12\"", 12), .init("!!int '12'", 12), .init("!!int 0x1F", 31),
  .init("!!int 0o17", 15), .init("!!int 1_000", 1000), .init("!!int +12", 12),
  .init("!!int 18446744073709551615", .uint(.max)),
  .init("!!int 1.5", error: "cannot read \"1.5\" as tag:yaml.org,2002:int"),
  .init("!!int 08", error: "cannot read \"08\""),
  .init("!!int 99999999999999999999", error: "cannot read"),
  .init("!!int", error: "cannot read \"\""),
  .init("!!float 1", 1), .init("!!float 1.5", 1.5), .init("!!float \"1e3\"", 1000),
  .init("!!float 0x10", 16), .init("!!float 08", 8),
  // An integer read as a float loses what a double cannot hold, then goes through JSON.
  .init("!!float 12345678901234567", 12_345_678_901_234_568),
  .init("!!float 9223372036854775807", .uint(9_223_372_036_854_776_000)),
  // go-yaml turns only signed integers into floats; an unsigned one is an error.
  .init("!!float 18446744073709551615", error: "cannot read"),
  .init("!!float 1e400", error: "cannot read"),
  .init("!!float abc", error: "cannot read \"abc\" as tag:yaml.org,2002:float"),
  .init("!!float", error: "cannot read"),
  .init("!!bool \"true\"", true), .init("!!bool True", true), .init("!!bool FALSE", false),
  // kustomize's go-yaml v3 knows only true/false, even with the tag.
  .init("!!bool yes", kubectl: .value(true), kustomize: .error("cannot read \"yes\"")),
  .init("!!bool y", kubectl: .value(true), kustomize: .error("cannot read \"y\"")),
  .init("!!bool Off", kubectl: .value(false), kustomize: .error("cannot read \"Off\"")),
  .init("!!bool 1", error: "cannot read \"1\" as tag:yaml.org,2002:bool"),
  .init("!!bool", error: "cannot read"),
  .init("!!null", nil), .init("!!null ~", nil), .init("!!null \"\"", nil),
  .init("!!null Null", nil),
  .init("!!null x", error: "cannot read \"x\" as tag:yaml.org,2002:null"),
  .init(
    "!!timestamp 2024-01-31", kubectl: .value("2024-01-31"),
    kustomize: .value("2024-01-31T00:00:00Z")),
  .init(
    "!!timestamp 2001-12-14t21:59:43.10-05:00", kubectl: .value("2001-12-14t21:59:43.10-05:00"),
    kustomize: .value("2001-12-14T21:59:43.1-05:00")),
  .init("!!timestamp abc", error: "cannot read \"abc\" as tag:yaml.org,2002:timestamp"),
  .init("!!binary aGVsbG8=", "hello"), .init("!!binary \"\"", ""),
  .init("!!binary |\n  aGVs\n  bG8=", "hello"),
  .init("!!binary /w==", "\u{FFFD}"),
  .init("!!binary aGVsbG8", error: "cannot read"),
  .init("!!binary aGVs bG8=", error: "cannot read"),
  // The non-specific tag: go-yaml v2 makes text of it, kustomize resolves it as plain.
  .init("! 12", kubectl: .value("12"), kustomize: .value(12)),
  .init("! yes", "yes"), .init("! \"12\"", "12"),
  // Wavesync rejects tags it does not know (both tools would read them as text).
  .init("!custom 12", error: "unsupported tag !custom"),
  .init("!!set x", error: "unsupported tag tag:yaml.org,2002:set"),
  .init("!<tag:example.com,2000:app> x", error: "unsupported tag tag:example.com,2000:app"),
]

@Suite("Explicitly tagged scalars")
struct TaggedScalarTests {
  @Test(arguments: taggedScalarCases, [ScalarRules.kubectl, .kustomize])
  func taggedScalar(_ c: TaggedScalarCase, rules: ScalarRules) {
    let expected = rules == .kubectl ? c.kubectl : c.kustomize
    switch (yamlOutcome("a: 1\nv: \(c.yaml)\n", file: "tags.yaml", rules: rules), expected) {
    case (.success(let documents), .value(let value)):
      #expect(documents.count == 1)
      #expect(sameValue(documents.first?["v"] ?? "<missing>", value))
    case (.failure(let error), .error(let message)):
      #expect(error.message.contains(message), "\(error)")
      #expect(error.file == "tags.yaml")
      #expect(error.line == 2)
      #expect(error.column == 4)
    case (let outcome, _):
      Issue.record(
        "\(c.yaml.debugDescription) under \(rules): got \(outcome), expected \(expected)")
    }
  }

  @Test func unsupportedTagErrorNamesFileLineAndColumn() {
    let outcome = yamlOutcome(
      "kind: Zoo\nspec:\n  weird: !custom 12\n", file: "zoo.yaml", rules: .kustomize)
    guard case .failure(let error) = outcome else {
      Issue.record("expected an error, got \(outcome)")
      return
    }
    #expect(error.description == "zoo.yaml:3:10: unsupported tag !custom")
  }
}

/// The real decoders, where kubectl is installed: every finite row of the plain-scalar table goes
/// through `kubectl label --local` (go-yaml v2 via sigs.k8s.io/yaml) and `kubectl kustomize`
/// (kyaml, go-yaml v3) in one zoo manifest each. Both run offline.
@Suite(
  "Plain scalars against the real kubectl",
  .enabled(if: liveKubectl != nil, "kubectl is not installed"))
struct PlainScalarLiveTests {
  /// The rows whose values JSON can carry (kubectl fails on a whole file holding `.inf`).
  static let rows = plainScalarCases.filter { c in
    [c.kubectl, c.kustomize].allSatisfy { v in v.doubleValue.map(\.isFinite) ?? true }
  }

  static func zoo(in folder: URL) throws -> URL {
    var text = "apiVersion: example.com/v1\nkind: Zoo\nmetadata:\n  name: live\nspec:\n"
    for (index, row) in rows.enumerated() { text += "  k\(index): \(row.text)\n" }
    let file = folder.appendingPathComponent("zoo.yaml")
    try text.write(to: file, atomically: true, encoding: .utf8)
    try "resources:\n- zoo.yaml\n".write(
      to: folder.appendingPathComponent("kustomization.yaml"), atomically: true, encoding: .utf8)
    return file
  }

  static func withZoo(_ body: (URL) throws -> Void) throws {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("wavesync-scalar-zoo-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try body(try zoo(in: folder))
  }

  @Test func kubectlApplyReadsTheKubectlColumn() throws {
    try Self.withZoo { file in
      let output = try runLiveKubectl(["label", "--local", "-f", file.path, "-o", "json", "x=y"])
      let spec = try #require(try JSON.decode(output)["spec"])
      #expect(spec.objectValue?.count == Self.rows.count)
      #expect(Self.rows.count > 150)
      for (index, row) in Self.rows.enumerated() {
        let theirs = spec["k\(index)"] ?? "<missing>"
        // kubectl's unstructured objects round integers beyond Int64 to floats; sigs.k8s.io/yaml
        // itself (what the kubectl rules model) still has them exact.
        if case .uint(let u) = row.kubectl, u > UInt64(Int64.max) {
          #expect(theirs.doubleValue == Double(u), "\(row.text.debugDescription)")
        } else {
          #expect(sameValue(theirs, row.kubectl), "\(row.text.debugDescription)")
        }
      }
    }
  }

  @Test func kubectlKustomizeReadsTheKustomizeColumn() throws {
    try Self.withZoo { file in
      let output = try runLiveKubectl(["kustomize", file.deletingLastPathComponent().path])
      let spec = try #require(try YAML.value(from: output, rules: .kustomize)["spec"])
      #expect(spec.objectValue?.count == Self.rows.count)
      for (index, row) in Self.rows.enumerated() {
        #expect(
          sameValue(spec["k\(index)"] ?? "<missing>", row.kustomize), "\(row.text.debugDescription)"
        )
      }
    }
  }
}

/// The tagged-scalar table against the real decoders: the rows a tool accepts go through it in
/// one manifest, each row it rejects in a manifest of its own.
@Suite(
  "Tagged scalars against the real kubectl",
  .enabled(if: liveKubectl != nil, "kubectl is not installed"))
struct TaggedScalarLiveTests {
  /// Rows Wavesync rejects on purpose, which both tools read as text.
  static func isDeliberate(_ c: TaggedScalarCase) -> Bool {
    if case .error(let message) = c.kubectl { return message.hasPrefix("unsupported tag") }
    return false
  }

  /// The tool's reading of `spec` values `k0`, `k1`, … written with the given tagged texts.
  static func read(_ yaml: [String], with rules: ScalarRules) throws -> Value {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("wavesync-tag-zoo-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    var text = "apiVersion: example.com/v1\nkind: Zoo\nmetadata:\n  name: tags\nspec:\n"
    for (index, item) in yaml.enumerated() {
      text += "  k\(index): \(item.replacingOccurrences(of: "\n", with: "\n  "))\n"
    }
    let file = folder.appendingPathComponent("zoo.yaml")
    try text.write(to: file, atomically: true, encoding: .utf8)
    try "resources:\n- zoo.yaml\n".write(
      to: folder.appendingPathComponent("kustomization.yaml"), atomically: true, encoding: .utf8)
    if rules == .kubectl {
      let output = try runLiveKubectl(["label", "--local", "-f", file.path, "-o", "json", "x=y"])
      return try JSON.decode(output)["spec"] ?? .null
    }
    let output = try runLiveKubectl(["kustomize", folder.path])
    return try YAML.value(from: output, rules: .kustomize)["spec"] ?? .null
  }

  @Test(arguments: [ScalarRules.kubectl, .kustomize])
  func tableMatchesTheTools(rules: ScalarRules) throws {
    var accepted: [TaggedScalarCase] = []
    for c in taggedScalarCases {
      switch rules == .kubectl ? c.kubectl : c.kustomize {
      case .value: accepted.append(c)
      case .error where Self.isDeliberate(c):
        // Wavesync is stricter here: the tool reads the tagged scalar as text.
        let theirs = try Self.read([c.yaml], with: rules)
        #expect(theirs["k0"]?.stringValue != nil, "\(c.yaml.debugDescription)")
      case .error:
        #expect(throws: LiveKubectlFailure.self, "\(c.yaml.debugDescription)") {
          try Self.read([c.yaml], with: rules)
        }
      }
    }
    let spec = try Self.read(accepted.map(\.yaml), with: rules)
    #expect(spec.objectValue?.count == accepted.count)
    for (index, c) in accepted.enumerated() {
      guard case .value(let mine) = rules == .kubectl ? c.kubectl : c.kustomize else { continue }
      let theirs = spec["k\(index)"] ?? "<missing>"
      if rules == .kubectl, case .uint(let u) = mine, u > UInt64(Int64.max) {
        #expect(theirs.doubleValue == Double(u), "\(c.yaml.debugDescription)")
      } else {
        #expect(sameValue(theirs, mine), "\(c.yaml.debugDescription)")
      }
    }
  }
}

let liveKubectl: String? = ["/usr/bin/kubectl", "/usr/local/bin/kubectl"].first {
  FileManager.default.isExecutableFile(atPath: $0)
}

struct LiveKubectlFailure: Error, CustomStringConvertible {
  var status: Int32
  var stderr: String
  var description: String { "kubectl exited with \(status): \(stderr)" }
}

func runLiveKubectl(_ arguments: [String]) throws -> String {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: liveKubectl!)
  process.arguments = arguments
  let stdout = Pipe()
  let stderr = Pipe()
  process.standardOutput = stdout
  process.standardError = stderr
  try process.run()
  let output = stdout.fileHandleForReading.readDataToEndOfFile()
  let errors = stderr.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  guard process.terminationStatus == 0 else {
    throw LiveKubectlFailure(
      status: process.terminationStatus, stderr: String(decoding: errors, as: UTF8.self))
  }
  return String(decoding: output, as: UTF8.self)
}
