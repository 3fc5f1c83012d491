import Foundation

/// What one curl transfer ended with: curl's result, and the HTTP response when there was one.
struct TransferOutcome: Sendable {
  /// CURLcode as a number (0 is CURLE_OK).
  var curlCode: Int
  /// curl's message for `curlCode`, with the detail from its error buffer.
  var curlMessage: String
  var cancelled = false
  /// 0 when no response arrived.
  var status = 0
  /// Headers of the final response, names lowercased.
  var headers: [String: String] = [:]
  /// The body, except the lines a streaming 200 handed on.
  var body = Data()
  var bytesSent: Int64 = 0
  var bytesReceived: Int64 = 0

  static func cancelledBeforeStart() -> TransferOutcome {
    TransferOutcome(curlCode: 42, curlMessage: "request cancelled", cancelled: true)
  }

  var succeeded: Bool { curlCode == 0 && !cancelled }
}
