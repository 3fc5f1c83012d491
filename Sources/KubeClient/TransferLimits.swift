/// Bandwidth caps applied to every transfer of one client (edge links are often metered or
/// thin): libcurl's CURLOPT_MAX_SEND_SPEED_LARGE / CURLOPT_MAX_RECV_SPEED_LARGE. libcurl keeps
/// the average under the cap by pausing between reads or writes, so a short burst (the first
/// ~100 kB of a response) may still go at full speed.
public struct TransferLimits: Sendable, Hashable {
  public var maxSendBytesPerSecond: Int64?
  public var maxReceiveBytesPerSecond: Int64?

  public init(maxSendBytesPerSecond: Int64? = nil, maxReceiveBytesPerSecond: Int64? = nil) {
    self.maxSendBytesPerSecond = maxSendBytesPerSecond
    self.maxReceiveBytesPerSecond = maxReceiveBytesPerSecond
  }
}
