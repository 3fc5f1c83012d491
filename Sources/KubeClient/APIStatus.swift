import Foundation
import Model

/// The API's `Status` object, which explains every failed request: message, reason and, for
/// validation failures, the fields at fault.
struct APIStatus {
  var code: Int
  var message: String
  var reason: String?
  /// "spec.replicas: Invalid value: -1: must be greater than or equal to 0".
  var causes: [String]

  /// Reads the Status in a response body; a body that is not one (a proxy's HTML page, a
  /// plain-text health check) still yields the HTTP status and a short excerpt.
  init(response: KubeResponse) {
    code = response.status
    causes = []
    let decoded = try? JSON.decode(response.body)
    if let status = decoded, status["kind"]?.stringValue == "Status" {
      message = status["message"]?.stringValue ?? HTTPStatusText.text(for: response.status)
      reason = status["reason"]?.stringValue
      code = status["code"]?.intValue.map(Int.init) ?? response.status
      for cause in status[path: ["details", "causes"]]?.arrayValue ?? [] {
        let text = cause["message"]?.stringValue ?? cause["reason"]?.stringValue ?? ""
        if let field = cause["field"]?.stringValue, !field.isEmpty {
          causes.append("\(field): \(text)")
        } else if !text.isEmpty {
          causes.append(text)
        }
      }
    } else {
      let text = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
      message = text.isEmpty || text.count > 200 ? HTTPStatusText.text(for: response.status) : text
    }
  }

  /// The typed error for a failed response: the message names the cluster and what was asked
  /// for ("edge-1: apps/Deployment shop/web: ...").
  func error(cluster: String, subject: String) -> KubeError {
    let text = "\(cluster): \(subject): \(message)"
    switch code {
    case 401: return .unauthorized(text)
    case 403: return .forbidden(text)
    case 404: return .notFound(text)
    case 409: return .conflict(text)
    case 422: return .invalid(text, causes: causes)
    default: return .server(code: code, message: text)
    }
  }
}

/// Reason phrases for statuses that came without a Status body.
enum HTTPStatusText {
  static func text(for status: Int) -> String {
    switch status {
    case 400: "bad request"
    case 401: "unauthorized"
    case 403: "forbidden"
    case 404: "the server could not find the requested resource"
    case 405: "method not allowed"
    case 409: "conflict"
    case 410: "gone"
    case 422: "unprocessable entity"
    case 429: "too many requests"
    case 500: "internal server error"
    case 502: "bad gateway"
    case 503: "service unavailable"
    case 504: "gateway timeout"
    default: "HTTP status \(status)"
    }
  }
}
