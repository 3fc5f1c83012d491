/// The rules Kubernetes applies to label keys and values (`IsQualifiedName`, `IsValidLabelValue`).
public enum LabelSyntax {
  public static let maxNameLength = 63
  public static let maxPrefixLength = 253
  public static let maxValueLength = 63

  /// Checks a key: an optional lowercase DNS subdomain and "/", then a name of at most 63
  /// letters, digits, "-", "_" or ".", starting and ending with a letter or digit.
  public static func validateKey(_ key: String) throws(LabelSelectorError) {
    let parts = key.split(separator: "/", omittingEmptySubsequences: false)
    func invalid(_ problem: String) -> LabelSelectorError {
      LabelSelectorError(message: "invalid label key \(quote(key)): \(problem)")
    }
    guard parts.count <= 2 else { throw invalid("must contain at most one \"/\"") }
    let name = parts[parts.count - 1]
    // Unprefixed keys are all name, so their problems need no "name" qualifier.
    let subject = parts.count == 2 ? "name after \"/\" " : ""
    if parts.count == 2 {
      let prefix = parts[0]
      if prefix.isEmpty { throw invalid("prefix before \"/\" must not be empty") }
      if prefix.utf8.count > maxPrefixLength {
        throw invalid(
          "prefix must be at most \(maxPrefixLength) characters, not \(prefix.utf8.count)")
      }
      if let problem = dnsSubdomainProblem(prefix) {
        throw invalid("prefix \(quote(prefix)) \(problem)")
      }
    }
    if name.isEmpty { throw invalid("\(subject)must not be empty") }
    if name.utf8.count > maxNameLength {
      throw invalid("\(subject)must be at most \(maxNameLength) characters, not \(name.utf8.count)")
    }
    if let problem = nameProblem(name) { throw invalid("\(subject)\(problem)") }
  }

  /// Checks a value: empty, or at most 63 letters, digits, "-", "_" or ".", starting and ending
  /// with a letter or digit. The key, when given, only makes the message say where.
  public static func validateValue(
    _ value: String, forKey key: String? = nil
  ) throws(LabelSelectorError) {
    func invalid(_ problem: String) -> LabelSelectorError {
      let owner = key.map { " for key \(quote($0))" } ?? ""
      return LabelSelectorError(message: "invalid label value \(quote(value))\(owner): \(problem)")
    }
    if value.utf8.count > maxValueLength {
      throw invalid("must be at most \(maxValueLength) characters, not \(value.utf8.count)")
    }
    if !value.isEmpty, let problem = nameProblem(value[...]) { throw invalid(problem) }
  }

  private static func isAlphanumeric(_ c: Unicode.Scalar) -> Bool {
    ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
  }

  private static func nameProblem(_ text: Substring) -> String? {
    if let bad = text.unicodeScalars.first(where: {
      !isAlphanumeric($0) && !"-_.".unicodeScalars.contains($0)
    }) {
      return "contains \(quote(String(bad))); only ASCII letters, digits, \"-\", \"_\" and \".\" "
        + "are allowed"
    }
    guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last,
      isAlphanumeric(first), isAlphanumeric(last)
    else { return "must start and end with a letter or digit" }
    return nil
  }

  private static func dnsSubdomainProblem(_ text: Substring) -> String? {
    let isAllowed = { (c: Unicode.Scalar) in
      ("a"..."z").contains(c) || ("0"..."9").contains(c) || c == "-" || c == "."
    }
    if let bad = text.unicodeScalars.first(where: { !isAllowed($0) }) {
      return "contains \(quote(String(bad))); only lowercase letters, digits, \"-\" and \".\" "
        + "are allowed"
    }
    // Only "-" is left to misplace: each part must be non-empty and not start or end with it.
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.allSatisfy({ $0.first != nil && $0.first != "-" && $0.last != "-" }) else {
      return "must have parts between dots that start and end with a letter or digit"
    }
    return nil
  }

  /// Quotes text for messages, escaping what would make the quoted form ambiguous.
  static func quote(_ text: some StringProtocol) -> String { JSON.quoted(text) }
}
