/// Flux-style post-build substitution: `${site.name}`, `${site.labels.KEY}`, `${VAR}` and
/// `${VAR:=default}`; `$${...}` writes a literal `${...}`. A variable without a value or a
/// default is an error naming it.
import Model

struct Substitution {
  var variables: [String: String]

  init(site: Site, app: AppDefinition) {
    var variables = app.vars
    for (key, value) in site.vars { variables[key] = value }
    variables["site.name"] = site.name
    for (key, value) in site.labels { variables["site.labels." + key] = value }
    self.variables = variables
  }

  enum Failure: Error, Equatable {
    case undefined(String)
    case unterminated
    case invalidName(String)
  }

  /// Every string value in `value` substituted; keys are left alone.
  func apply(in value: Value) throws(Failure) -> Value {
    switch value {
    case .string(let text): return .string(try apply(to: text))
    case .array(let items):
      return .array(try items.map { item throws(Failure) in try apply(in: item) })
    case .object(var entries):
      for key in entries.keys { entries[key] = try apply(in: entries[key]!) }
      return .object(entries)
    default: return value
    }
  }

  /// The text with every reference replaced.
  func apply(to text: String) throws(Failure) -> String {
    guard text.contains("${") else { return text }
    var out = ""
    var rest = Substring(text)
    while let dollar = rest.firstIndex(of: "$") {
      out += rest[..<dollar]
      let after = rest[rest.index(after: dollar)...]
      if after.hasPrefix("${") {
        // `$${X}`: an escaped reference, kept literally without one dollar.
        guard let close = after.firstIndex(of: "}") else { throw .unterminated }
        out += after[..<after.index(after: close)]
        rest = after[after.index(after: close)...]
      } else if after.hasPrefix("{") {
        guard let close = after.firstIndex(of: "}") else { throw .unterminated }
        let body = after[after.index(after: after.startIndex)..<close]
        out += try value(of: body)
        rest = after[after.index(after: close)...]
      } else {
        out += "$"
        rest = after
      }
    }
    return out + rest
  }

  private func value(of body: Substring) throws(Failure) -> String {
    var name = body
    var fallback: Substring?
    if let range = body.range(of: ":=") {
      name = body[..<range.lowerBound]
      fallback = body[range.upperBound...]
    }
    guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "_.-/".contains($0) })
    else {
      throw .invalidName(String(body))
    }
    if let value = variables[String(name)] { return value }
    if let fallback { return String(fallback) }
    throw .undefined(String(name))
  }
}
