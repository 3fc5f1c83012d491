/// The link between the region and one site, as the link proxy imposes it: a rate per direction
/// and a one-way latency. A nil rate is loopback speed.
public struct LinkSettings: Sendable, Equatable {
  /// API server to client (what a rollout downloads to the site), bytes per second.
  public var downlinkBytesPerSecond: Int64?
  /// Client to API server, bytes per second.
  public var uplinkBytesPerSecond: Int64?
  /// Added to every chunk in each direction, so a round trip takes twice this.
  public var latencyNanoseconds: UInt64

  public init(
    downlinkBytesPerSecond: Int64? = nil, uplinkBytesPerSecond: Int64? = nil,
    latencyNanoseconds: UInt64 = 0
  ) {
    self.downlinkBytesPerSecond = downlinkBytesPerSecond
    self.uplinkBytesPerSecond = uplinkBytesPerSecond
    self.latencyNanoseconds = latencyNanoseconds
  }
}

/// Which way bytes go through a link proxy.
public enum LinkDirection: Sendable, Hashable {
  /// API server to client.
  case downlink
  /// Client to API server.
  case uplink
}

/// Bytes a link proxy passed on at one instant of its clock.
public struct LinkRelease: Sendable, Equatable {
  /// When they were written.
  public var nanoseconds: UInt64
  public var bytes: Int64
  /// When the proxy read them from the other side.
  public var receivedNanoseconds: UInt64
}

/// What a link proxy has done so far.
public struct LinkCounters: Sendable, Equatable {
  /// Bytes written to clients.
  public var downlinkBytes: Int64 = 0
  /// Bytes written to the API server.
  public var uplinkBytes: Int64 = 0
  /// Connections passed on to the API server.
  public var connections = 0
  /// Connections closed because the link was cut (open ones, and new ones while cut).
  public var droppedConnections = 0
  /// Connections open now.
  public var openConnections = 0
}
