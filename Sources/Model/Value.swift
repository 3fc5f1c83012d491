public import OrderedCollections

/// A JSON-like manifest value that keeps the key order it was written in.
///
/// Integers beyond `Int64.max` but within `UInt64` stay exact (`uint`), as Go's YAML decoders keep
/// them; anything larger becomes a `double`, as both kubectl and kustomize do.
public enum Value: Sendable, Hashable {
  case null
  case bool(Bool)
  case int(Int64)
  case uint(UInt64)
  case double(Double)
  case string(String)
  case array([Value])
  case object(OrderedDictionary<String, Value>)

  public static let emptyObject = Value.object([:])
}

extension Value {
  public var isNull: Bool { if case .null = self { true } else { false } }

  public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
  public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
  public var arrayValue: [Value]? { if case .array(let a) = self { a } else { nil } }
  public var objectValue: OrderedDictionary<String, Value>? {
    if case .object(let o) = self { o } else { nil }
  }

  /// The value as an integer when it is one exactly (a whole `double` counts).
  public var intValue: Int64? {
    switch self {
    case .int(let i): i
    case .uint(let u): Int64(exactly: u)
    case .double(let d): Int64(exactly: d)
    default: nil
    }
  }

  public var doubleValue: Double? {
    switch self {
    case .int(let i): Double(i)
    case .uint(let u): Double(u)
    case .double(let d): d
    default: nil
    }
  }

  /// A short name of the value's type, for error messages.
  public var typeName: String {
    switch self {
    case .null: "null"
    case .bool: "boolean"
    case .int, .uint: "integer"
    case .double: "number"
    case .string: "string"
    case .array: "list"
    case .object: "mapping"
    }
  }

  /// The type with its article, for messages: "an integer", "a mapping".
  public var typeDescription: String {
    switch self {
    case .null: "null"
    case .int, .uint: "an integer"
    default: "a " + typeName
    }
  }

  /// Member access on objects; `nil` for a missing key or a non-object. Setting on a non-object
  /// turns it into an object; setting `nil` removes the key.
  public subscript(key: String) -> Value? {
    get {
      guard case .object(let o) = self else { return nil }
      return o[key]
    }
    set {
      var o: OrderedDictionary<String, Value>
      if case .object(let existing) = self {
        o = existing
      } else {
        // Removing from something that is not a mapping removes nothing.
        guard newValue != nil else { return }
        o = [:]
      }
      o[key] = newValue
      self = .object(o)
    }
  }

  /// Element access on arrays; `nil` when out of range or not an array.
  public subscript(index: Int) -> Value? {
    guard case .array(let a) = self, a.indices.contains(index) else { return nil }
    return a[index]
  }

  /// The value at a path of object keys, e.g. `["metadata", "name"]`.
  public subscript(path path: [String]) -> Value? {
    get {
      var current: Value? = self
      for key in path { current = current?[key] }
      return current
    }
    set {
      // Removing a path that is not there changes nothing (no parents are created on the way).
      if newValue == nil && self[path: path] == nil { return }
      guard let first = path.first else {
        if let newValue { self = newValue }
        return
      }
      if path.count == 1 {
        self[first] = newValue
        return
      }
      var child = self[first] ?? .emptyObject
      child[path: Array(path.dropFirst())] = newValue
      self[first] = child
    }
  }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
  ExpressibleByBooleanLiteral,
  ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral,
  ExpressibleByNilLiteral
{
  public init(stringLiteral value: String) { self = .string(value) }
  public init(integerLiteral value: Int64) { self = .int(value) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(floatLiteral value: Double) { self = .double(value) }
  public init(arrayLiteral elements: Value...) { self = .array(elements) }
  public init(dictionaryLiteral elements: (String, Value)...) {
    self = .object(OrderedDictionary(elements, uniquingKeysWith: { _, last in last }))
  }
  public init(nilLiteral: ()) { self = .null }
}

extension Value {
  /// The same value with every mapping's keys in sorted order, so two values that differ only
  /// in key order compare equal (`==` on `Value` respects key order).
  public var keysSorted: Value {
    switch self {
    case .object(let entries):
      .object(
        OrderedDictionary(
          uniqueKeysWithValues: entries.keys.sorted().map { ($0, entries[$0]!.keysSorted) }))
    case .array(let items): .array(items.map(\.keysSorted))
    default: self
    }
  }
}
