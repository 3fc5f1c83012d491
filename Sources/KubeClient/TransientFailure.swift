import CCurl
import Foundation

/// Which failures are worth another try: the request either never reached the server, or
/// the server said "not now". Validation and conflict answers are final.
enum TransientFailure {
  /// The connection never came up, so nothing was sent: safe for any verb.
  static func curlCodeIsTransient(_ code: Int, idempotent: Bool) -> Bool {
    switch UInt32(code) {
    case CURLE_COULDNT_CONNECT.rawValue, CURLE_COULDNT_RESOLVE_HOST.rawValue:
      return true
    // Reset, empty reply, timed out: the server may have acted, so only for idempotent verbs.
    case CURLE_SEND_ERROR.rawValue, CURLE_RECV_ERROR.rawValue, CURLE_GOT_NOTHING.rawValue,
      CURLE_PARTIAL_FILE.rawValue, CURLE_OPERATION_TIMEDOUT.rawValue:
      return idempotent
    default:
      return false
    }
  }

  /// 429 is a refusal before any work; 5xx only for requests that may safely be repeated.
  static func statusIsTransient(_ status: Int, idempotent: Bool) -> Bool {
    status == 429 || (idempotent && [500, 502, 503, 504].contains(status))
  }

  static func isTimeout(_ code: Int) -> Bool { UInt32(code) == CURLE_OPERATION_TIMEDOUT.rawValue }

  /// Retry-After in seconds (the HTTP-date form is rare from the API server and ignored).
  static func retryAfter(_ headers: [String: String]) -> Double? {
    headers["retry-after"].flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
  }
}
