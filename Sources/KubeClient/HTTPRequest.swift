import Foundation

/// One request to the API server (or, with `url`, to any URL), before it becomes a curl transfer.
struct HTTPRequest: Sendable {
  var method: String
  /// Path and query, e.g. `/api/v1/namespaces?limit=500`.
  var path: String
  /// A whole URL, sent instead of the server's URL joined with `path`.
  var url: String?
  /// Headers besides the transport's own, as `Name: value` lines; an `Accept` here replaces
  /// the default one.
  var headers: [String] = []
  var body: Data?
  var contentType: String?
  /// A watch: a 200 body is handed on line by line as it arrives.
  var streaming = false
  /// Overrides the client's timeout; a watch sets the server's timeoutSeconds plus a margin.
  var timeoutSeconds: Double?

  static let applyPatchType = "application/apply-patch+yaml"
  static let mergePatchType = "application/merge-patch+json"

  /// Writes change the cluster; a dry run does not.
  var isWrite: Bool {
    ["POST", "PUT", "PATCH", "DELETE"].contains(method) && !path.contains("dryRun=")
  }

  /// Safe to send twice: the verbs HTTP calls idempotent, and server-side apply, whose result
  /// does not depend on how often it is applied.
  var isIdempotent: Bool {
    ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"].contains(method)
      || (method == "PATCH" && contentType == Self.applyPatchType)
  }

  /// For logs and messages: the method and the path (or URL) without its query.
  var summary: String {
    let target = url ?? path
    return
      "\(method) \(target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target)"
  }
}
