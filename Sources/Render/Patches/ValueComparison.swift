import Model

extension Value {
  /// Equality as JSON means it: mapping key order does not matter and numbers compare by value
  /// (`3` equals `3.0`). `Value`'s own `==` keeps key order, which a patch must not depend on.
  func isSemanticallyEqual(to other: Value) -> Bool {
    switch (self, other) {
    case (.object(let a), .object(let b)):
      guard a.count == b.count else { return false }
      return a.allSatisfy { key, value in b[key].map { value.isSemanticallyEqual(to: $0) } ?? false
      }
    case (.array(let a), .array(let b)):
      return a.count == b.count && zip(a, b).allSatisfy { $0.isSemanticallyEqual(to: $1) }
    case (.int, _), (.uint, _), (.double, _):
      if let x = intValue, let y = other.intValue { return x == y }
      guard let x = doubleValue, let y = other.doubleValue else { return false }
      return x == y
    default:
      return self == other
    }
  }

  /// The text kustomize compares list elements by, as the scalar was written: `80` and `"80"`
  /// match. Empty for null and for collections, which kustomize treats as no value.
  var scalarText: String {
    switch self {
    case .string(let s): s
    case .int(let i): String(i)
    case .uint(let u): String(u)
    case .double(let d): GoFloat.shortestG(d)
    case .bool(let b): b ? "true" : "false"
    case .null, .array, .object: ""
    }
  }
}
