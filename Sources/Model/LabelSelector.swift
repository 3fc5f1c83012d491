internal import OrderedCollections

/// A Kubernetes label selector: every requirement must match.
///
/// Requirements are kept sorted by key (stably) and each one's values sorted and unique, as
/// Kubernetes normalizes them, so selectors that mean the same compare equal.
public struct LabelSelector: Sendable, Hashable, CustomStringConvertible {
  public let requirements: [Requirement]

  public static let everything = LabelSelector([])

  public init(_ requirements: [Requirement]) {
    self.requirements = requirements.enumerated()
      .sorted { a, b in
        a.element.key == b.element.key
          ? a.offset < b.offset : a.element.key.utf8.lexicographicallyPrecedes(b.element.key.utf8)
      }
      .map(\.element)
  }

  /// Parses the string syntax of `kubectl -l`, e.g. `tier=edge,region in (emea,apac),!canary`.
  public init(parsing text: String) throws(LabelSelectorError) {
    self.init(try LabelSelectorParser.parse(text))
  }

  public var isEverything: Bool { requirements.isEmpty }

  public func matches(_ labels: [String: String]) -> Bool {
    requirements.allSatisfy { $0.matches(labels) }
  }

  /// The canonical string form, which parses back to an equal selector.
  public var description: String { requirements.map(\.description).joined(separator: ",") }
}

extension LabelSelector {
  public struct Requirement: Sendable, Hashable, CustomStringConvertible {
    public enum Operator: Sendable, Hashable, CaseIterable {
      case equals, notEquals, `in`, notIn, exists, doesNotExist, greaterThan, lessThan

      /// How the string syntax writes the operator.
      var spelling: String {
        switch self {
        case .equals: "="
        case .notEquals: "!="
        case .in: "in"
        case .notIn: "notin"
        case .exists: "exists"
        case .doesNotExist: "!"
        case .greaterThan: ">"
        case .lessThan: "<"
        }
      }
    }

    public let key: String
    public let `operator`: Operator
    /// Sorted and without duplicates: the values form a set.
    public let values: [String]

    public init(key: String, operator: Operator, values: [String] = []) throws(LabelSelectorError) {
      try self.init(key: key, operator: `operator`, values: values, spelledAs: `operator`.spelling)
    }

    /// `spelling` names the operator in messages as the user wrote it (`in` or `In`).
    init(
      key: String, operator: Operator, values: [String], spelledAs spelling: String
    ) throws(LabelSelectorError) {
      try LabelSyntax.validateKey(key)
      let quotedOperator = LabelSyntax.quote(spelling)
      switch `operator` {
      case .in, .notIn:
        if values.isEmpty {
          throw LabelSelectorError(message: "\(quotedOperator) needs at least one value")
        }
      case .exists, .doesNotExist:
        if !values.isEmpty {
          throw LabelSelectorError(message: "\(quotedOperator) takes no values")
        }
      case .equals, .notEquals, .greaterThan, .lessThan:
        if values.count != 1 {
          throw LabelSelectorError(message: "\(quotedOperator) needs exactly one value")
        }
      }
      if `operator` == .greaterThan || `operator` == .lessThan, Int64(values[0]) == nil {
        throw LabelSelectorError(
          message: "\(quotedOperator) needs an integer value, not \(LabelSyntax.quote(values[0]))")
      }
      for value in values { try LabelSyntax.validateValue(value, forKey: key) }
      self.key = key
      self.operator = `operator`
      self.values = Set(values).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    public func matches(_ labels: [String: String]) -> Bool {
      let label = labels[key]
      switch `operator` {
      case .equals, .in: return label.map(values.contains) ?? false
      // An absent label is "not equal" to anything, as in Kubernetes.
      case .notEquals, .notIn: return label.map { !values.contains($0) } ?? true
      case .exists: return label != nil
      case .doesNotExist: return label == nil
      case .greaterThan, .lessThan:
        // Both sides were or must be integers; a non-integer label never matches.
        guard let label, let actual = Int64(label), let bound = Int64(values[0]) else {
          return false
        }
        return `operator` == .greaterThan ? actual > bound : actual < bound
      }
    }

    public var description: String {
      switch `operator` {
      case .exists: key
      case .doesNotExist: "!\(key)"
      case .equals, .notEquals, .greaterThan, .lessThan: "\(key)\(`operator`.spelling)\(values[0])"
      case .in, .notIn:
        // A lone empty value is written "(,)": "()" is rejected as an empty list.
        "\(key) \(`operator`.spelling) (\(values == [""] ? "," : values.joined(separator: ",")))"
      }
    }
  }
}

/// A selector or label that is not valid, saying what is wrong and where.
public struct LabelSelectorError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The selector text, when the problem is in a selector string.
  public var selector: String?
  public var message: String

  public init(selector: String? = nil, message: String) {
    self.selector = selector
    self.message = message
  }

  public var description: String {
    guard let selector else { return message }
    return "invalid label selector \(LabelSyntax.quote(selector)): \(message)"
  }

  /// The same problem, located at a field of the object form, e.g. `matchExpressions[1].key`.
  func at(_ path: String) -> Self { Self(selector: selector, message: "\(path): \(message)") }
}

// MARK: - The object form

extension LabelSelector {
  /// Reads the Kubernetes object form (`matchLabels` and `matchExpressions`, all ANDed), or a
  /// string in the string syntax, so configuration can use either.
  public init(value: Value) throws(LabelSelectorError) {
    switch value {
    case .string(let text): try self.init(parsing: text)
    case .object(let fields): self.init(try Self.requirements(fromObject: fields))
    default:
      throw LabelSelectorError(
        message: "expected a label selector string or mapping, found \(value.typeName)")
    }
  }

  private static func requirements(
    fromObject fields: OrderedDictionary<String, Value>
  ) throws(LabelSelectorError) -> [Requirement] {
    if let unknown = fields.keys.first(where: { $0 != "matchLabels" && $0 != "matchExpressions" }) {
      throw LabelSelectorError(
        message: "\(unknown): unknown field; expected matchLabels or matchExpressions")
    }
    var requirements: [Requirement] = []
    // Go decodes null as an absent map or list, so null is accepted wherever they are.
    switch fields["matchLabels"] ?? .null {
    case .null: break
    case .object(let labels):
      for (key, value) in labels {
        do { try LabelSyntax.validateKey(key) } catch { throw error.at("matchLabels") }
        let path = "matchLabels[\(key)]"
        guard case .string(let text) = value else {
          throw LabelSelectorError(message: "\(path): expected a string, found \(value.typeName)")
        }
        do {
          try LabelSyntax.validateValue(text)
          requirements.append(try Requirement(key: key, operator: .equals, values: [text]))
        } catch { throw error.at(path) }
      }
    case let other:
      throw LabelSelectorError(message: "matchLabels: expected a mapping, found \(other.typeName)")
    }
    switch fields["matchExpressions"] ?? .null {
    case .null: break
    case .array(let expressions):
      for (index, expression) in expressions.enumerated() {
        requirements.append(
          try requirement(fromExpression: expression, at: "matchExpressions[\(index)]"))
      }
    case let other:
      throw LabelSelectorError(
        message: "matchExpressions: expected a list, found \(other.typeName)")
    }
    return requirements
  }

  private static let operatorsByObjectName: [String: Requirement.Operator] = [
    "In": .in, "NotIn": .notIn, "Exists": .exists, "DoesNotExist": .doesNotExist,
  ]

  private static func requirement(
    fromExpression expression: Value, at path: String
  ) throws(LabelSelectorError) -> Requirement {
    guard case .object(let fields) = expression else {
      throw LabelSelectorError(message: "\(path): expected a mapping, found \(expression.typeName)")
    }
    if let unknown = fields.keys.first(where: { !["key", "operator", "values"].contains($0) }) {
      throw LabelSelectorError(
        message: "\(path).\(unknown): unknown field; expected key, operator or values")
    }
    func string(_ name: String) throws(LabelSelectorError) -> String {
      switch fields[name] {
      case nil, .null?:
        throw LabelSelectorError(message: "\(path).\(name): required field is missing")
      case .string(let text)?: return text
      case let other?:
        throw LabelSelectorError(
          message: "\(path).\(name): expected a string, found \(other.typeName)")
      }
    }
    let key = try string("key")
    do { try LabelSyntax.validateKey(key) } catch { throw error.at("\(path).key") }
    let operatorName = try string("operator")
    guard let op = operatorsByObjectName[operatorName] else {
      throw LabelSelectorError(
        message: "\(path).operator: unknown operator \(LabelSyntax.quote(operatorName))")
    }
    var values: [String] = []
    switch fields["values"] ?? .null {
    case .null: break
    case .array(let items):
      for (index, item) in items.enumerated() {
        let itemPath = "\(path).values[\(index)]"
        guard case .string(let text) = item else {
          throw LabelSelectorError(
            message: "\(itemPath): expected a string, found \(item.typeName)")
        }
        do { try LabelSyntax.validateValue(text) } catch { throw error.at(itemPath) }
        values.append(text)
      }
    case let other:
      throw LabelSelectorError(message: "\(path).values: expected a list, found \(other.typeName)")
    }
    do {
      return try Requirement(key: key, operator: op, values: values, spelledAs: operatorName)
    } catch { throw error.at("\(path).values") }
  }
}
