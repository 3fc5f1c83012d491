/// How plain (unquoted) YAML scalars become values. Kubernetes tools disagree, and users expect
/// each path to behave like the tool it replaces.
public enum ScalarRules: Sendable, Hashable {
  /// As `kubectl apply -f` reads manifests (go-yaml v2 via sigs.k8s.io/yaml): `yes`, `on`, `y`,
  /// `off`, `n` are booleans, `0777` is octal, timestamps stay strings.
  case kubectl
  /// As `kubectl kustomize` (kustomize v5, kyaml) reads files: only `true`/`false` are booleans,
  /// timestamps become RFC 3339 strings, `0777` is still octal.
  case kustomize

  /// The value a plain scalar's text stands for under these rules.
  public func resolvePlain(_ text: String) -> Value {
    if Self.nullWords.contains(text) { return .null }
    if let bool = resolveBool(text) { return .bool(bool) }
    if let number = Self.resolveNumber(text) { return number }
    if self == .kustomize, let timestamp = GoTimestamp.rfc3339(fromYAML: text) {
      return .string(timestamp)
    }
    return .string(text)
  }

  func resolveBool(_ text: String) -> Bool? {
    switch self {
    case .kubectl:
      if Self.yamlOneOneTrue.contains(text) { return true }
      if Self.yamlOneOneFalse.contains(text) { return false }
    case .kustomize:
      if ["true", "True", "TRUE"].contains(text) { return true }
      if ["false", "False", "FALSE"].contains(text) { return false }
    }
    return nil
  }

  static let nullWords: Set<String> = ["", "~", "null", "Null", "NULL"]
  static let yamlOneOneTrue: Set<String> = [
    "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE",
  ]
  static let yamlOneOneFalse: Set<String> = [
    "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE",
  ]

  /// Both Go decoders try, in order: a signed 64-bit integer (base prefixes 0x, 0o, 0b and a
  /// leading 0 for octal, underscores ignored), an unsigned one, then a YAML-style float.
  static func resolveNumber(_ text: String) -> Value? {
    guard let first = text.first, first.isASCII,
      first.isNumber || first == "-" || first == "+" || first == "."
    else { return nil }
    switch text {
    case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
    case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
    case ".nan", ".NaN", ".NAN": return .double(.nan)
    default: break
    }
    let plain = text.replacingOccurrences(of: "_", with: "")
    if let integer = GoInteger.parse(plain) { return integer }
    // Go's ParseFloat fails on a float too large for a double (`1e400`), so both decoders
    // leave such text a string; Swift's parser would give infinity.
    guard isYAMLFloat(plain), let double = Double(plain), double.isFinite else { return nil }
    return canonicalFloat(double)
  }

  /// Both tools hand their result on through JSON, where a whole float prints like an integer
  /// and is read back as one; mirror that so values compare equal to what the tools produce.
  public static func canonicalFloat(_ double: Double) -> Value {
    let printed = GoFloat.json(double)
    if let integer = GoInteger.parse(printed) { return integer }
    return .double(double)
  }

  /// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`, the float syntax both decoders accept.
  static func isYAMLFloat(_ s: String) -> Bool {
    var chars = Substring(s)
    if let c = chars.first, c == "-" || c == "+" { chars = chars.dropFirst() }
    func digits(_ sub: inout Substring) -> Int {
      let n = sub.prefix { $0.isASCII && $0.isNumber }.count
      sub = sub.dropFirst(n)
      return n
    }
    if chars.first == "." {
      chars = chars.dropFirst()
      if digits(&chars) == 0 { return false }
    } else {
      if digits(&chars) == 0 { return false }
      if chars.first == "." {
        chars = chars.dropFirst()
        _ = digits(&chars)
      }
    }
    if let c = chars.first, c == "e" || c == "E" {
      chars = chars.dropFirst()
      if let s = chars.first, s == "-" || s == "+" { chars = chars.dropFirst() }
      if digits(&chars) == 0 { return false }
    }
    return chars.isEmpty
  }
}

/// Go's `strconv.ParseInt(s, 0, 64)` then `ParseUint(s, 0, 64)`, as both YAML decoders call them.
enum GoInteger {
  static func parse(_ text: String) -> Value? {
    var body = Substring(text)
    var negative = false
    if let c = body.first, c == "-" || c == "+" {
      negative = c == "-"
      body = body.dropFirst()
    }
    var radix = 10
    let lower = body.lowercased()
    if lower.hasPrefix("0x") {
      radix = 16
      body = body.dropFirst(2)
    } else if lower.hasPrefix("0o") {
      radix = 8
      body = body.dropFirst(2)
    } else if lower.hasPrefix("0b") {
      radix = 2
      body = body.dropFirst(2)
    } else if body.count > 1 && body.first == "0" {
      radix = 8
      body = body.dropFirst()
    }
    guard !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.isHexDigit }),
      let magnitude = UInt64(body, radix: radix)
    else { return nil }
    if negative {
      if magnitude <= UInt64(Int64.max) { return .int(-Int64(magnitude)) }
      if magnitude == UInt64(Int64.max) + 1 { return .int(.min) }
      return nil
    }
    if let small = Int64(exactly: magnitude) { return .int(small) }
    return .uint(magnitude)
  }
}
