/// Parses the label selector string syntax, accepting what Kubernetes' `labels.Parse` accepts:
/// `key`, `!key`, `key=value`, `key==value`, `key!=value`, `key>3`, `key<3`,
/// `key in (a,b)` and `key notin (a,b)`, separated by commas.
struct LabelSelectorParser {
  enum Token: Equatable {
    case word(String)
    /// A run of operator characters; `~` only counts after one, so `=~` reads as one operator.
    case symbols(String)
    case openParen, closeParen, comma, end

    var inMessages: String {
      switch self {
      case .word(let text), .symbols(let text): LabelSyntax.quote(text)
      case .openParen: "\"(\""
      case .closeParen: "\")\""
      case .comma: "\",\""
      case .end: "the end"
      }
    }
  }

  private let text: String
  private let tokens: [Token]
  private var position = 0

  static func parse(_ text: String) throws(LabelSelectorError) -> [LabelSelector.Requirement] {
    var parser = LabelSelectorParser(text: text, tokens: tokenize(text))
    return try parser.parseSelector()
  }

  private init(text: String, tokens: [Token]) {
    self.text = text
    self.tokens = tokens
  }

  // The same separators as Kubernetes: only these four count as whitespace.
  private static let whitespace: Set<Unicode.Scalar> = [" ", "\t", "\r", "\n"]
  private static let operatorStarts: Set<Unicode.Scalar> = ["=", "!", "<", ">"]
  private static let wordEnds = whitespace.union(operatorStarts).union(["(", ")", ","])

  private static func tokenize(_ text: String) -> [Token] {
    let scalars = Array(text.unicodeScalars)
    var tokens: [Token] = []
    var index = 0
    func run(while belongs: (Unicode.Scalar) -> Bool) -> String {
      var run = String.UnicodeScalarView()
      while index < scalars.count, belongs(scalars[index]) {
        run.append(scalars[index])
        index += 1
      }
      return String(run)
    }
    while index < scalars.count {
      let scalar = scalars[index]
      switch scalar {
      case _ where whitespace.contains(scalar): index += 1
      case "(":
        tokens.append(.openParen)
        index += 1
      case ")":
        tokens.append(.closeParen)
        index += 1
      case ",":
        tokens.append(.comma)
        index += 1
      case _ where operatorStarts.contains(scalar):
        tokens.append(.symbols(run { operatorStarts.contains($0) || $0 == "~" }))
      default: tokens.append(.word(run { !wordEnds.contains($0) }))
      }
    }
    tokens.append(.end)
    return tokens
  }

  private mutating func next() -> Token {
    defer { position = min(position + 1, tokens.count - 1) }
    return tokens[position]
  }

  private var peek: Token { tokens[position] }

  private func quote(_ text: String) -> String { LabelSyntax.quote(text) }

  private func failure(_ message: String) -> LabelSelectorError {
    LabelSelectorError(selector: text, message: message)
  }

  private mutating func parseSelector() throws(LabelSelectorError) -> [LabelSelector.Requirement] {
    if peek == .end { return [] }
    var requirements: [LabelSelector.Requirement] = []
    var afterComma = false
    while true {
      let requirement = try parseRequirement(afterComma: afterComma)
      requirements.append(requirement)
      switch next() {
      case .end: return requirements
      case .comma: afterComma = true
      case let other:
        throw failure(
          "expected \",\" or the end after \(quote(requirement.description)), found \(other.inMessages)"
        )
      }
    }
  }

  private mutating func parseRequirement(afterComma: Bool) throws(LabelSelectorError)
    -> LabelSelector.Requirement
  {
    let isNegated = peek == .symbols("!")
    if isNegated { _ = next() }
    guard case .word(let key) = peek else {
      let context = isNegated ? " after \"!\"" : afterComma ? " or \"!\" after \",\"" : " or \"!\""
      throw failure("expected a label key\(context), found \(peek.inMessages)")
    }
    _ = next()
    do { try LabelSyntax.validateKey(key) } catch { throw failure(error.message) }
    if isNegated { return try requirement(key, .doesNotExist, [], spelledAs: "!") }

    if peek == .end || peek == .comma {
      return try requirement(key, .exists, [], spelledAs: "exists")
    }
    switch next() {
    case .symbols(let symbol):
      let op: LabelSelector.Requirement.Operator
      switch symbol {
      case "=", "==": op = .equals
      case "!=": op = .notEquals
      case ">": op = .greaterThan
      case "<": op = .lessThan
      default:
        throw failure(
          "unknown operator \(quote(symbol)) after \(quote(key))")
      }
      return try requirement(
        key, op, [try parseSingleValue(after: symbol, of: key)], spelledAs: symbol)
    case .word("in"):
      return try requirement(key, .in, try parseValueList(after: "in", of: key), spelledAs: "in")
    case .word("notin"):
      return try requirement(
        key, .notIn, try parseValueList(after: "notin", of: key), spelledAs: "notin")
    case let other:
      throw failure(
        "expected an operator (=, ==, !=, in, notin, >, <) after \(quote(key)), found \(other.inMessages)"
      )
    }
  }

  private func requirement(
    _ key: String, _ op: LabelSelector.Requirement.Operator, _ values: [String],
    spelledAs spelling: String
  ) throws(LabelSelectorError) -> LabelSelector.Requirement {
    do {
      return try LabelSelector.Requirement(
        key: key, operator: op, values: values, spelledAs: spelling)
    } catch { throw failure(error.message) }
  }

  /// The value after `=`, `!=`, `>` or `<`; nothing before a comma or the end is the empty value.
  private mutating func parseSingleValue(after symbol: String, of key: String)
    throws(LabelSelectorError) -> String
  {
    switch peek {
    case .end, .comma: return ""
    case .word(let value):
      _ = next()
      return value
    case let other:
      throw failure(
        "expected a value after \(quote(symbol)) for \(quote(key)), found \(other.inMessages)"
      )
    }
  }

  /// `(a, b)`; an empty slot between commas is the empty value, as in Kubernetes.
  private mutating func parseValueList(after keyword: String, of key: String)
    throws(LabelSelectorError) -> [String]
  {
    let quotedKey = quote(key)
    let missingClose = failure("missing \")\" after values of \(quotedKey)")
    let open = next()
    guard open == .openParen else {
      throw failure(
        "expected \"(\" after \"\(keyword)\" for \(quotedKey), found \(open.inMessages)")
    }
    if peek == .closeParen {
      _ = next()
      return []
    }
    var values: [String] = []
    while true {
      switch peek {
      case .word(let value):
        _ = next()
        values.append(value)
      case .comma, .closeParen: values.append("")
      case .end: throw missingClose
      case let other:
        throw failure("expected a value in the values of \(quotedKey), found \(other.inMessages)")
      }
      switch next() {
      case .comma: continue
      case .closeParen: return values
      case .end: throw missingClose
      case let other:
        throw failure(
          "expected \",\" or \")\" after \(quote(values.last ?? "")) in the values of \(quotedKey), found \(other.inMessages)"
        )
      }
    }
  }
}
