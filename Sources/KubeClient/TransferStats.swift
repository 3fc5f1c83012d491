/// What one client has sent and received since it was made (or last reset).
public struct TransferStats: Sendable, Hashable {
  /// HTTP exchanges, retries and watch connections included (a watch connection counts, with
  /// its bytes, when it ends); tries that never reached a server do not count.
  public var requests: Int
  /// POST/PUT/PATCH/DELETE exchanges that were not dry runs.
  public var writeRequests: Int
  /// Tries made again after a transient failure (refused or reset connection, timeout, 429,
  /// 500/502/503/504), and watch reconnections after a failed connection.
  public var retries: Int
  /// Body bytes as they crossed the wire (gzip-compressed answers count compressed), headers
  /// and TLS overhead excluded: libcurl's CURLINFO_SIZE_UPLOAD_T / CURLINFO_SIZE_DOWNLOAD_T.
  public var bytesSent: Int64
  public var bytesReceived: Int64

  public init(
    requests: Int = 0, writeRequests: Int = 0, retries: Int = 0, bytesSent: Int64 = 0,
    bytesReceived: Int64 = 0
  ) {
    self.requests = requests
    self.writeRequests = writeRequests
    self.retries = retries
    self.bytesSent = bytesSent
    self.bytesReceived = bytesReceived
  }
}
