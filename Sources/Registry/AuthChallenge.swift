import Foundation

/// A `WWW-Authenticate` challenge: `Basic realm="..."` or
/// `Bearer realm="https://auth.example/token",service="registry.example",scope="repository:app:pull"`.
struct AuthChallenge: Equatable {
  /// Lowercased: `basic`, `bearer`.
  var scheme: String
  /// Parameter names lowercased; quoted values unquoted.
  var parameters: [String: String]

  /// nil when the header has no scheme.
  init?(header: String) {
    var rest = Substring(header).drop { $0 == " " }
    let scheme = rest.prefix { $0 != " " }
    guard !scheme.isEmpty else { return nil }
    self.scheme = scheme.lowercased()
    rest = rest.dropFirst(scheme.count)
    parameters = [:]
    while true {
      rest = rest.drop { $0 == " " || $0 == "," }
      guard let equals = rest.firstIndex(of: "=") else { break }
      let name = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
      rest = rest[rest.index(after: equals)...]
      parameters[name] = Self.value(&rest)
    }
  }

  /// Reads a quoted string (with backslash escapes) or a token up to the next comma.
  private static func value(_ rest: inout Substring) -> String {
    guard rest.first == "\"" else {
      let token = rest.prefix { $0 != "," }
      rest = rest.dropFirst(token.count)
      return token.trimmingCharacters(in: .whitespaces)
    }
    rest = rest.dropFirst()
    var value = ""
    while let character = rest.first {
      rest = rest.dropFirst()
      if character == "\"" { break }
      if character == "\\", let escaped = rest.first {
        value.append(escaped)
        rest = rest.dropFirst()
      } else {
        value.append(character)
      }
    }
    return value
  }
}
