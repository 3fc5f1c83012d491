import Foundation

/// Percent-encoding for the pieces of an API URL: label selectors carry `=`, `,` and `!`,
/// continue tokens carry base64, and names are escaped to be safe.
enum URLQuery {
  private static let unreserved = CharacterSet(
    charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

  static func escape(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
  }

  /// `?a=1&b=2`, or nothing when there are no items; nil values are left out.
  static func string(_ items: [(String, String?)]) -> String {
    let parts = items.compactMap { name, value in value.map { "\(name)=\(escape($0))" } }
    return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
  }
}
