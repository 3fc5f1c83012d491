import Model

/// Why one JSON patch operation failed; `JSONPatch` adds which operation it was.
struct JSONPatchFailure: Error {
  let reason: String
}

/// An RFC 6901 JSON pointer: `/metadata/labels/app.kubernetes.io~1name`.
struct JSONPointer: Equatable {
  /// The reference tokens, unescaped; empty for the whole document.
  let tokens: [String]

  init(tokens: [String]) { self.tokens = tokens }

  init(_ text: String) throws(JSONPatchFailure) {
    guard !text.isEmpty else {
      tokens = []
      return
    }
    guard text.hasPrefix("/") else {
      throw JSONPatchFailure(reason: "a JSON pointer starts with \"/\"")
    }
    var tokens: [String] = []
    for raw in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
      tokens.append(try Self.unescape(raw))
    }
    self.tokens = tokens
  }

  /// `~1` is `/` and `~0` is `~`; any other `~` is malformed.
  private static func unescape(_ raw: Substring) throws(JSONPatchFailure) -> String {
    var token = ""
    var escaping = false
    for character in raw {
      if escaping {
        switch character {
        case "0": token.append("~")
        case "1": token.append("/")
        default:
          throw JSONPatchFailure(reason: "\"~\" must be followed by 0 or 1 in a JSON pointer")
        }
        escaping = false
      } else if character == "~" {
        escaping = true
      } else {
        token.append(character)
      }
    }
    if escaping { throw JSONPatchFailure(reason: "a JSON pointer token ends in \"~\"") }
    return token
  }

  /// Whether this pointer lies strictly inside `other`'s value.
  func isInside(_ other: JSONPointer) -> Bool {
    tokens.count > other.tokens.count && Array(tokens.prefix(other.tokens.count)) == other.tokens
  }
}

/// Array indices as kustomize's JSON patch library reads them: decimal, and negative ones count
/// from the end (`-1` is the last element; for `add`, `-1` appends).
enum ArrayIndex {
  /// The index of an existing element.
  static func existing(_ token: String, count: Int) throws(JSONPatchFailure) -> Int {
    let index = try parse(token)
    let resolved = index < 0 ? count + index : index
    guard (0..<count).contains(resolved) else {
      throw JSONPatchFailure(reason: "index \(token) is out of bounds for a list of \(count)")
    }
    return resolved
  }

  /// Where to insert; `-` and `count` append.
  static func insertion(_ token: String, count: Int) throws(JSONPatchFailure) -> Int {
    if token == "-" { return count }
    let index = try parse(token)
    let resolved = index < 0 ? count + 1 + index : index
    guard (0...count).contains(resolved) else {
      throw JSONPatchFailure(reason: "index \(token) is out of bounds for a list of \(count)")
    }
    return resolved
  }

  private static func parse(_ token: String) throws(JSONPatchFailure) -> Int {
    guard let index = Int(token) else {
      throw JSONPatchFailure(reason: "\"\(token)\" is not an array index")
    }
    return index
  }
}
