public import Foundation

/// JSON in and out of `Value`. Writing keeps key order; reading goes through Foundation's parser,
/// which does not keep it, so object keys come back sorted (deterministic).
public enum JSON {
  /// How the text is laid out: `goCompatible` writes what Go's `encoding/json` writes for a map
  /// (keys sorted by bytes, `<`, `>`, `&`, U+2028 and U+2029 escaped), which content hashes need.
  public struct Style: Sendable {
    public var pretty = false
    public var goCompatible = false

    public static let compact = Style()
    public static let pretty = Style(pretty: true)
    public static let go = Style(goCompatible: true)
  }

  public static func encode(_ value: Value, pretty: Bool = false) -> String {
    encode(value, style: pretty ? .pretty : .compact)
  }

  public static func encode(_ value: Value, style: Style) -> String {
    var out = ""
    write(value, into: &out, style: style, indent: 0)
    return out
  }

  /// A string as a JSON string literal.
  public static func quoted(_ text: some StringProtocol, style: Style = .compact) -> String {
    var out = ""
    writeString(String(text), into: &out, style: style)
    return out
  }

  public static func decode(_ text: String) throws -> Value {
    try decode(Data(text.utf8))
  }

  public static func decode(_ data: Data) throws -> Value {
    try JSONDecoder().decode(Value.self, from: data)
  }

  private static func write(_ value: Value, into out: inout String, style: Style, indent: Int) {
    let pretty = style.pretty
    let newline = pretty ? "\n" + String(repeating: "  ", count: indent + 1) : ""
    let closing = pretty ? "\n" + String(repeating: "  ", count: indent) : ""
    switch value {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .int(let i): out += String(i)
    case .uint(let u): out += String(u)
    case .double(let d): out += d.isFinite ? GoFloat.json(d) : "null"
    case .string(let s): writeString(s, into: &out, style: style)
    case .array(let items):
      guard !items.isEmpty else {
        out += "[]"
        return
      }
      out += "["
      for (index, item) in items.enumerated() {
        out += (index == 0 ? "" : ",") + newline
        write(item, into: &out, style: style, indent: indent + 1)
      }
      out += closing + "]"
    case .object(let entries):
      guard !entries.isEmpty else {
        out += "{}"
        return
      }
      out += "{"
      let keys =
        style.goCompatible
        ? entries.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        : Array(entries.keys)
      for (index, key) in keys.enumerated() {
        out += (index == 0 ? "" : ",") + newline
        writeString(key, into: &out, style: style)
        out += pretty ? ": " : ":"
        write(entries[key]!, into: &out, style: style, indent: indent + 1)
      }
      out += closing + "}"
    }
  }

  private static let goEscaped: Set<Unicode.Scalar> = ["<", ">", "&", "\u{2028}", "\u{2029}"]

  private static func writeString(_ s: String, into out: inout String, style: Style) {
    out += "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20 || (style.goCompatible && Self.goEscaped.contains(scalar)):
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    out += "\""
  }
}

extension Value: Decodable {
  public init(from decoder: any Decoder) throws {
    if var array = try? decoder.unkeyedContainer() {
      var items: [Value] = []
      while !array.isAtEnd { items.append(try array.decode(Value.self)) }
      self = .array(items)
      return
    }
    if let object = try? decoder.container(keyedBy: AnyKey.self) {
      var entries: [(String, Value)] = []
      for key in object.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
        entries.append((key.stringValue, try object.decode(Value.self, forKey: key)))
      }
      self = .object(.init(uniqueKeysWithValues: entries))
      return
    }
    let single = try decoder.singleValueContainer()
    if single.decodeNil() {
      self = .null
    } else if let b = try? single.decode(Bool.self) {
      self = .bool(b)
    } else if let i = try? single.decode(Int64.self) {
      self = .int(i)
    } else if let u = try? single.decode(UInt64.self) {
      self = .uint(u)
    } else if let d = try? single.decode(Double.self) {
      self = .double(d)
    } else {
      self = .string(try single.decode(String.self))
    }
  }

  private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }
}
