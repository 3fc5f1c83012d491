public import Foundation

/// The answer to a raw request: HTTP status, headers and body, whatever the status.
public struct KubeResponse: Sendable, Hashable {
  public var status: Int
  public var body: Data
  /// The final response's headers, names lowercased.
  public var headers: [String: String]

  public init(status: Int, body: Data, headers: [String: String] = [:]) {
    self.status = status
    self.body = body
    self.headers = headers
  }

  /// The body as UTF-8 text (invalid bytes replaced).
  public var text: String { String(decoding: body, as: UTF8.self) }
}
