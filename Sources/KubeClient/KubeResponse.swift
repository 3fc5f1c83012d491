public import Foundation

/// The answer to a raw request: HTTP status and body, whatever the status.
public struct KubeResponse: Sendable, Hashable {
  public var status: Int
  public var body: Data

  public init(status: Int, body: Data) {
    self.status = status
    self.body = body
  }

  /// The body as UTF-8 text (invalid bytes replaced).
  public var text: String { String(decoding: body, as: UTF8.self) }
}
