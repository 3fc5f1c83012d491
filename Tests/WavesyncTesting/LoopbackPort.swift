import LocalFleet

/// Loopback TCP ports for test servers: LocalFleet's, which keeps clear of the kernel's
/// ephemeral range so an outgoing connection cannot take a port before its server binds it.
public enum LoopbackPort {
  public static func free() throws -> UInt16 { try LoopbackSocket.freePort() }

  /// Whether something accepts TCP connections on 127.0.0.1:`port` right now.
  public static func accepts(_ port: UInt16) -> Bool { LoopbackSocket.accepts(port) }
}
