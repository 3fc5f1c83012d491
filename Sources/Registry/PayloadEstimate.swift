/// The image bytes an update moves over a site's link, or why that is not known. Unknown is
/// not a failure: whoever schedules the update assumes the worst and says so.
public enum PayloadEstimate: Sendable, Hashable, CustomStringConvertible {
  case bytes(Int64)
  /// The reason names the image (and the registry) that could not be read.
  case unknown(reason: String)

  public var description: String {
    switch self {
    case .bytes(let bytes): "\(bytes) bytes"
    case .unknown(let reason): "unknown (\(reason))"
    }
  }
}
