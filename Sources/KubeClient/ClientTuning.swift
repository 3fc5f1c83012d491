/// The knobs behind the public API's defaults; tests turn them down to exercise paging and
/// watch resumption quickly.
struct ClientTuning: Sendable {
  /// Objects per list page (`limit`).
  var pageSize = 500
  /// How long the server keeps one watch connection open; the client then resumes. Spread like
  /// client-go's (5 to 10 minutes) so a fleet's watches do not all reconnect at once.
  var watchTimeoutSeconds: @Sendable () -> Int = { Int.random(in: 300...600) }
  var retry = RetryPolicy.standard
  /// A hard stop for a list that keeps handing out continue tokens.
  var maxListPages = 10_000

  static let standard = ClientTuning()
}
