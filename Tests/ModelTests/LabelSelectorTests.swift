import Model
import Testing

/// Sites to match against, one per column of `SelectorParseCase.matches`.
private let edgeSite = ["region": "emea", "tier": "edge", "cores": "8", "edge.io/role": "gateway"]
private let coreSite = ["region": "apac", "tier": "core", "canary": "true", "cores": "64"]
private let bareSite: [String: String] = [:]
private let oddSite = ["region": "", "cores": "many"]
private let sites = [edgeSite, coreSite, bareSite, oddSite]

/// A requirement as plain data, so expected structures read as a table.
struct SelectorShape: Sendable, Equatable, CustomStringConvertible {
  var key: String
  var op: LabelSelector.Requirement.Operator
  var values: [String] = []
  var description: String { "\(key) \(op) \(values)" }
}

private func shapes(_ selector: LabelSelector) -> [SelectorShape] {
  selector.requirements.map { SelectorShape(key: $0.key, op: $0.operator, values: $0.values) }
}

/// The description of the `LabelSelectorError` the body throws, or nil when it throws none.
private func errorDescription(_ body: () throws -> Void) -> String? {
  do {
    try body()
    return nil
  } catch {
    return (error as? LabelSelectorError)?.description ?? "unexpected error: \(error)"
  }
}

struct SelectorParseCase: Sendable, CustomTestStringConvertible {
  var text: String
  var canonical: String
  var shape: [SelectorShape]
  /// Whether it matches edgeSite, coreSite, bareSite, oddSite.
  var matches: [Bool]
  var testDescription: String { "\(text.debugDescription)" }
}

private let parseCases: [SelectorParseCase] = [
  .init(text: "", canonical: "", shape: [], matches: [true, true, true, true]),
  .init(text: " \t\n ", canonical: "", shape: [], matches: [true, true, true, true]),
  .init(
    text: "tier=edge", canonical: "tier=edge",
    shape: [.init(key: "tier", op: .equals, values: ["edge"])],
    matches: [true, false, false, false]),
  .init(
    text: "tier==edge", canonical: "tier=edge",
    shape: [.init(key: "tier", op: .equals, values: ["edge"])],
    matches: [true, false, false, false]),
  .init(
    text: "\ttier\n=\r edge ", canonical: "tier=edge",
    shape: [.init(key: "tier", op: .equals, values: ["edge"])],
    matches: [true, false, false, false]),
  .init(
    text: "tier!=edge", canonical: "tier!=edge",
    shape: [.init(key: "tier", op: .notEquals, values: ["edge"])],
    matches: [false, true, true, true]),
  .init(
    text: "region in (emea, apac)", canonical: "region in (apac,emea)",
    shape: [.init(key: "region", op: .in, values: ["apac", "emea"])],
    matches: [true, true, false, false]),
  .init(
    text: "region in(emea,emea)", canonical: "region in (emea)",
    shape: [.init(key: "region", op: .in, values: ["emea"])], matches: [true, false, false, false]),
  .init(
    text: "region notin (emea)", canonical: "region notin (emea)",
    shape: [.init(key: "region", op: .notIn, values: ["emea"])], matches: [false, true, true, true]),
  .init(
    text: "canary", canonical: "canary", shape: [.init(key: "canary", op: .exists)],
    matches: [false, true, false, false]),
  .init(
    text: "! canary", canonical: "!canary", shape: [.init(key: "canary", op: .doesNotExist)],
    matches: [true, false, true, true]),
  .init(
    text: "cores>10", canonical: "cores>10",
    shape: [.init(key: "cores", op: .greaterThan, values: ["10"])],
    matches: [false, true, false, false]),
  .init(
    text: "cores < 010", canonical: "cores<010",
    shape: [.init(key: "cores", op: .lessThan, values: ["010"])],
    matches: [true, false, false, false]),
  // Nothing after the operator is the empty value, as in Kubernetes.
  .init(
    text: "region=", canonical: "region=", shape: [.init(key: "region", op: .equals, values: [""])],
    matches: [false, false, false, true]),
  .init(
    text: "region==,tier", canonical: "region=,tier",
    shape: [.init(key: "region", op: .equals, values: [""]), .init(key: "tier", op: .exists)],
    matches: [false, false, false, false]),
  .init(
    text: "region in (emea,)", canonical: "region in (,emea)",
    shape: [.init(key: "region", op: .in, values: ["", "emea"])],
    matches: [true, false, false, true]),
  .init(
    text: "region in (a,,b)", canonical: "region in (,a,b)",
    shape: [.init(key: "region", op: .in, values: ["", "a", "b"])],
    matches: [false, false, false, true]),
  .init(
    text: "region notin (,)", canonical: "region notin (,)",
    shape: [.init(key: "region", op: .notIn, values: [""])], matches: [true, true, true, false]),
  // Requirements are sorted by key; requirements on the same key keep their order.
  .init(
    text: "tier=edge, region in (emea), !canary", canonical: "!canary,region in (emea),tier=edge",
    shape: [
      .init(key: "canary", op: .doesNotExist), .init(key: "region", op: .in, values: ["emea"]),
      .init(key: "tier", op: .equals, values: ["edge"]),
    ],
    matches: [true, false, false, false]),
  .init(
    text: "tier!=core,tier", canonical: "tier!=core,tier",
    shape: [.init(key: "tier", op: .notEquals, values: ["core"]), .init(key: "tier", op: .exists)],
    matches: [true, false, false, false]),
  // "in" and "notin" are only keywords where an operator goes.
  .init(
    text: "in in (in, notin)", canonical: "in in (in,notin)",
    shape: [.init(key: "in", op: .in, values: ["in", "notin"])],
    matches: [false, false, false, false]),
  .init(
    text: "notin!=in", canonical: "notin!=in",
    shape: [.init(key: "notin", op: .notEquals, values: ["in"])],
    matches: [true, true, true, true]),
  .init(
    text: "edge.io/role in (gateway)", canonical: "edge.io/role in (gateway)",
    shape: [.init(key: "edge.io/role", op: .in, values: ["gateway"])],
    matches: [true, false, false, false]),
  .init(
    text: "A-b_c.9=Z.y-x_0", canonical: "A-b_c.9=Z.y-x_0",
    shape: [.init(key: "A-b_c.9", op: .equals, values: ["Z.y-x_0"])],
    matches: [false, false, false, false]),
]

private let parseErrorCases: [(String, String)] = [
  (
    "region in (emea",
    #"invalid label selector "region in (emea": missing ")" after values of "region""#
  ),
  ("region in (", #"invalid label selector "region in (": missing ")" after values of "region""#),
  (
    "region in (a,",
    #"invalid label selector "region in (a,": missing ")" after values of "region""#
  ),
  (
    "-bad=x",
    #"invalid label selector "-bad=x": invalid label key "-bad": must start and end with a letter or digit"#
  ),
  ("region in ()", #"invalid label selector "region in ()": "in" needs at least one value"#),
  (
    "region notin ( )",
    #"invalid label selector "region notin ( )": "notin" needs at least one value"#
  ),
  ("region=~emea", #"invalid label selector "region=~emea": unknown operator "=~" after "region""#),
  ("cores<=3", #"invalid label selector "cores<=3": unknown operator "<=" after "cores""#),
  ("a!b", #"invalid label selector "a!b": unknown operator "!" after "a""#),
  ("a=1,", #"invalid label selector "a=1,": expected a label key or "!" after ",", found the end"#),
  (",a", #"invalid label selector ",a": expected a label key or "!", found ",""#),
  ("!=a", #"invalid label selector "!=a": expected a label key or "!", found "!=""#),
  ("!", #"invalid label selector "!": expected a label key after "!", found the end"#),
  ("a=1 b=2", #"invalid label selector "a=1 b=2": expected "," or the end after "a=1", found "b""#),
  ("!a=b", #"invalid label selector "!a=b": expected "," or the end after "!a", found "=""#),
  (
    "a in (b)c",
    #"invalid label selector "a in (b)c": expected "," or the end after "a in (b)", found "c""#
  ),
  (
    "a IN (b)",
    #"invalid label selector "a IN (b)": expected an operator (=, ==, !=, in, notin, >, <) after "a", found "IN""#
  ),
  ("a in b", #"invalid label selector "a in b": expected "(" after "in" for "a", found "b""#),
  (
    "a in (b c)",
    #"invalid label selector "a in (b c)": expected "," or ")" after "b" in the values of "a", found "c""#
  ),
  (
    "a in (b,=)",
    #"invalid label selector "a in (b,=)": expected a value in the values of "a", found "=""#
  ),
  ("a=(b)", #"invalid label selector "a=(b)": expected a value after "=" for "a", found "(""#),
  ("a>b", #"invalid label selector "a>b": ">" needs an integer value, not "b""#),
  ("a<", #"invalid label selector "a<": "<" needs an integer value, not """#),
  (
    "a>99999999999999999999",
    #"invalid label selector "a>99999999999999999999": ">" needs an integer value, not "99999999999999999999""#
  ),
  (
    "a>-1",
    #"invalid label selector "a>-1": invalid label value "-1" for key "a": must start and end with a letter or digit"#
  ),
  (
    #"a="b""#,
    #"invalid label selector "a=\"b\"": invalid label value "\"b\"" for key "a": contains "\""; only ASCII letters, digits, "-", "_" and "." are allowed"#
  ),
  (
    "a/b/c",
    #"invalid label selector "a/b/c": invalid label key "a/b/c": must contain at most one "/""#
  ),
]

@Suite struct LabelSelectorTests {
  @Test(arguments: parseCases)
  func parsesMatchesAndRoundTrips(_ testCase: SelectorParseCase) throws {
    let selector = try LabelSelector(parsing: testCase.text)
    #expect(shapes(selector) == testCase.shape)
    #expect(selector.description == testCase.canonical)
    #expect(sites.map(selector.matches) == testCase.matches)
    #expect(selector.isEverything == testCase.shape.isEmpty)

    let reparsed = try LabelSelector(parsing: selector.description)
    #expect(reparsed == selector)
    #expect(reparsed.description == selector.description)
  }

  @Test(arguments: parseErrorCases)
  func rejectsWithExactMessage(_ text: String, _ expected: String) {
    #expect(errorDescription { _ = try LabelSelector(parsing: text) } == expected)
  }

  @Test func errorKeepsSelectorAndMessageApart() {
    #expect(
      throws: LabelSelectorError(
        selector: "region in ()", message: #""in" needs at least one value"#)
    ) { try LabelSelector(parsing: "region in ()") }
  }

  @Test func everythingMatchesAll() throws {
    #expect(LabelSelector.everything.isEverything)
    #expect(LabelSelector.everything.description == "")
    #expect(try LabelSelector(parsing: "") == .everything)
    #expect(sites.allSatisfy(LabelSelector.everything.matches))
  }

  @Test func greaterAndLessCompareNumbersNotText() throws {
    let selector = try LabelSelector(parsing: "cores>9,cores<100")
    #expect(selector.matches(["cores": "10"]))
    #expect(selector.matches(["cores": "+10"]))  // Go's ParseInt takes a sign too
    #expect(!selector.matches(["cores": "9"]))
    #expect(!selector.matches(["cores": "100"]))
    #expect(!selector.matches(["cores": "1e1"]))
    #expect(!selector.matches(["cores": "99999999999999999999"]))
  }

  @Test func requirementsBuiltInCodeAreNormalized() throws {
    let requirement = try LabelSelector.Requirement(
      key: "region", operator: .in, values: ["emea", "apac", "emea"])
    #expect(requirement.values == ["apac", "emea"])
    let selector = LabelSelector([
      try .init(key: "tier", operator: .equals, values: ["edge"]), requirement,
    ])
    #expect(selector.description == "region in (apac,emea),tier=edge")
    #expect(selector == (try LabelSelector(parsing: "tier=edge,region in (emea,apac)")))
    #expect(
      errorDescription {
        _ = try LabelSelector.Requirement(key: "a", operator: .exists, values: ["x"])
      }
        == #""exists" takes no values"#)
    #expect(
      errorDescription {
        _ = try LabelSelector.Requirement(key: "a", operator: .notEquals, values: [])
      }
        == #""!=" needs exactly one value"#)
  }
}

private let objectErrorCases: [(Value, String)] = [
  (
    [
      "matchExpressions": [
        ["key": "a", "operator": "In", "values": ["x"]], ["key": "b", "operator": "Like"],
      ]
    ],
    #"matchExpressions[1].operator: unknown operator "Like""#
  ),
  (
    ["matchExpressions": [["key": "a", "operator": "Gt", "values": ["1"]]]],
    #"matchExpressions[0].operator: unknown operator "Gt""#
  ),
  (
    ["matchExpressions": [["key": "a", "operator": "In"]]],
    #"matchExpressions[0].values: "In" needs at least one value"#
  ),
  (
    ["matchExpressions": [["key": "a", "operator": "NotIn", "values": []]]],
    #"matchExpressions[0].values: "NotIn" needs at least one value"#
  ),
  (
    ["matchExpressions": [["key": "a", "operator": "Exists", "values": ["x"]]]],
    #"matchExpressions[0].values: "Exists" takes no values"#
  ),
  (
    ["matchExpressions": [["key": "a", "operator": "DoesNotExist", "values": [""]]]],
    #"matchExpressions[0].values: "DoesNotExist" takes no values"#
  ),
  (
    ["matchExpressions": [["operator": "Exists"]]],
    "matchExpressions[0].key: required field is missing"
  ),
  (["matchExpressions": [["key": "a"]]], "matchExpressions[0].operator: required field is missing"),
  (
    ["matchExpressions": [["key": 1, "operator": "Exists"]]],
    "matchExpressions[0].key: expected a string, found integer"
  ),
  (
    ["matchExpressions": [["key": "a_", "operator": "Exists"]]],
    #"matchExpressions[0].key: invalid label key "a_": must start and end with a letter or digit"#
  ),
  (
    ["matchExpressions": [["key": "a", "operator": "In", "values": ["x", 2]]]],
    "matchExpressions[0].values[1]: expected a string, found integer"
  ),
  (
    ["matchExpressions": [["key": "a", "operator": "In", "values": ["x", "y z"]]]],
    #"matchExpressions[0].values[1]: invalid label value "y z": contains " "; only ASCII letters, digits, "-", "_" and "." are allowed"#
  ),
  (
    ["matchExpressions": [["key": "a", "operator": "In", "values": "x"]]],
    "matchExpressions[0].values: expected a list, found string"
  ),
  (
    ["matchExpressions": [["key": "a", "operator": "Exists", "value": "x"]]],
    "matchExpressions[0].value: unknown field; expected key, operator or values"
  ),
  (["matchExpressions": ["a"]], "matchExpressions[0]: expected a mapping, found string"),
  (["matchExpressions": ["key": "a"]], "matchExpressions: expected a list, found mapping"),
  (["matchLabels": ["cores": 8]], "matchLabels[cores]: expected a string, found integer"),
  (
    ["matchLabels": ["tier": "edge_"]],
    #"matchLabels[tier]: invalid label value "edge_": must start and end with a letter or digit"#
  ),
  (
    ["matchLabels": ["-bad": "x"]],
    #"matchLabels: invalid label key "-bad": must start and end with a letter or digit"#
  ),
  (["matchLabels": ["a", "b"]], "matchLabels: expected a mapping, found list"),
  (
    ["matchLabel": ["a": "b"]],
    "matchLabel: unknown field; expected matchLabels or matchExpressions"
  ),
  (42, "expected a label selector string or mapping, found integer"),
  (nil, "expected a label selector string or mapping, found null"),
]

@Suite struct LabelSelectorObjectFormTests {
  @Test func matchLabelsAndMatchExpressionsAreANDed() throws {
    let selector = try LabelSelector(
      value: [
        "matchLabels": ["tier": "edge"],
        "matchExpressions": [
          ["key": "region", "operator": "In", "values": ["emea", "apac"]],
          ["key": "canary", "operator": "DoesNotExist"],
          ["key": "edge.io/role", "operator": "Exists", "values": nil],
          ["key": "cores", "operator": "NotIn", "values": ["1"]],
        ],
      ])
    #expect(
      shapes(selector) == [
        .init(key: "canary", op: .doesNotExist), .init(key: "cores", op: .notIn, values: ["1"]),
        .init(key: "edge.io/role", op: .exists),
        .init(key: "region", op: .in, values: ["apac", "emea"]),
        .init(key: "tier", op: .equals, values: ["edge"]),
      ])
    #expect(
      selector.description == "!canary,cores notin (1),edge.io/role,region in (apac,emea),tier=edge"
    )
    #expect(try LabelSelector(parsing: selector.description) == selector)
    #expect(sites.map(selector.matches) == [true, false, false, false])
    #expect(!selector.matches(edgeSite.merging(["tier": "core"]) { $1 }))
    #expect(!selector.matches(edgeSite.merging(["region": "amer"]) { $1 }))
  }

  @Test func emptyObjectAndNullsSelectEverything() throws {
    #expect(try LabelSelector(value: [:]).isEverything)
    #expect(try LabelSelector(value: ["matchLabels": nil, "matchExpressions": nil]).isEverything)
  }

  @Test func stringValueUsesTheStringSyntax() throws {
    #expect(
      try LabelSelector(value: "tier=edge,canary")
        == (try LabelSelector(parsing: "canary,tier=edge")))
    #expect(
      errorDescription { _ = try LabelSelector(value: "region in (emea") }
        == #"invalid label selector "region in (emea": missing ")" after values of "region""#)
  }

  @Test(arguments: objectErrorCases)
  func rejectsWithFieldPath(_ value: Value, _ expected: String) {
    #expect(errorDescription { _ = try LabelSelector(value: value) } == expected)
  }
}

private let keyErrorCases: [(String, String)] = [
  ("-bad", #"invalid label key "-bad": must start and end with a letter or digit"#),
  ("", #"invalid label key "": must not be empty"#),
  (
    "a b",
    #"invalid label key "a b": contains " "; only ASCII letters, digits, "-", "_" and "." are allowed"#
  ),
  (
    "é",
    #"invalid label key "é": contains "é"; only ASCII letters, digits, "-", "_" and "." are allowed"#
  ),
  (
    String(repeating: "x", count: 64),
    #"invalid label key "\#(String(repeating: "x", count: 64))": must be at most 63 characters, not 64"#
  ),
  ("/a", #"invalid label key "/a": prefix before "/" must not be empty"#),
  ("edge.io/", #"invalid label key "edge.io/": name after "/" must not be empty"#),
  (
    "edge.io/_x",
    #"invalid label key "edge.io/_x": name after "/" must start and end with a letter or digit"#
  ),
  (
    "Edge.io/x",
    #"invalid label key "Edge.io/x": prefix "Edge.io" contains "E"; only lowercase letters, digits, "-" and "." are allowed"#
  ),
  (
    "edge..io/x",
    #"invalid label key "edge..io/x": prefix "edge..io" must have parts between dots that start and end with a letter or digit"#
  ),
  (
    "edge-.io/x",
    #"invalid label key "edge-.io/x": prefix "edge-.io" must have parts between dots that start and end with a letter or digit"#
  ),
  (
    String(repeating: "a", count: 254) + "/x",
    #"invalid label key "\#(String(repeating: "a", count: 254))/x": prefix must be at most 253 characters, not 254"#
  ),
]

@Suite struct LabelSyntaxTests {
  @Test(arguments: [
    "a", "A9", "a.b_c-d", "edge.io/region", "kubernetes.io/hostname", "a-1.b/c",
    String(repeating: "x", count: 63),
    String(repeating: "a", count: 253) + "/" + String(repeating: "n", count: 63),
  ])
  func acceptsKey(_ key: String) throws {
    try LabelSyntax.validateKey(key)
  }

  @Test(arguments: keyErrorCases)
  func rejectsKey(_ key: String, _ expected: String) {
    #expect(errorDescription { try LabelSyntax.validateKey(key) } == expected)
  }

  @Test func checksValues() {
    #expect(errorDescription { try LabelSyntax.validateValue("") } == nil)
    #expect(errorDescription { try LabelSyntax.validateValue("v1.2-rc_3") } == nil)
    #expect(
      errorDescription { try LabelSyntax.validateValue(String(repeating: "v", count: 63)) } == nil)
    #expect(
      errorDescription { try LabelSyntax.validateValue(String(repeating: "v", count: 64)) }
        == #"invalid label value "\#(String(repeating: "v", count: 64))": must be at most 63 characters, not 64"#
    )
    #expect(
      errorDescription { try LabelSyntax.validateValue(".x", forKey: "tier") }
        == #"invalid label value ".x" for key "tier": must start and end with a letter or digit"#)
    #expect(
      errorDescription { try LabelSyntax.validateValue("a/b") }
        == #"invalid label value "a/b": contains "/"; only ASCII letters, digits, "-", "_" and "." are allowed"#
    )
  }
}
