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
    /// The values put in passed the byte budget: a large variable referenced many times.
    case overBudget
  }

  /// Every string value in `value` substituted; keys are left alone. `budget` is how many bytes
  /// the substituted values may still add, so that a large variable referenced many times cannot
  /// grow a small file without bound.
  func apply(in value: Value, budget: inout Int) throws(Failure) -> Value {
    switch value {
    case .string(let text): return .string(try apply(to: text, budget: &budget))
    case .array(var items):
      for index in items.indices { items[index] = try apply(in: items[index], budget: &budget) }
      return .array(items)
    case .object(var entries):
      for key in entries.keys { entries[key] = try apply(in: entries[key]!, budget: &budget) }
      return .object(entries)
    default: return value
    }
  }

  /// The text with every reference replaced, with no budget.
  func apply(to text: String) throws(Failure) -> String {
    var unlimited = Int.max
    return try apply(to: text, budget: &unlimited)
  }

  /// The text with every reference replaced.
  func apply(to text: String, budget: inout Int) throws(Failure) -> String {
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
        let replacement = try value(of: body)
        budget -= replacement.utf8.count
        guard budget >= 0 else { throw .overBudget }
        out += replacement
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
