import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// TCP ports on 127.0.0.1 for the fleet's servers.
public enum LoopbackSocket {
  /// A port nothing is bound to. Tried at random below Linux's ephemeral range (32768 and up by
  /// default), so the kernel does not hand it to some outgoing connection before the server
  /// binds it; else whatever port the kernel picks.
  public static func freePort() throws(LocalFleetError) -> UInt16 {
    for _ in 0..<50 {
      let candidate = UInt16.random(in: 20_000..<32_000)
      if (try? bindable(candidate)) == candidate { return candidate }
    }
    return try bindable(0)
  }

  /// Binds 127.0.0.1:`port` (0: any) and closes again; the port that was bound.
  private static func bindable(_ port: UInt16) throws(LocalFleetError) -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw LocalFleetError("cannot open a socket: errno \(errno)") }
    defer { close(fd) }
    var address = loopback(port: port)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0 else { throw LocalFleetError("cannot bind 127.0.0.1:\(port): errno \(errno)") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return UInt16(bigEndian: address.sin_port)
  }

  /// `count` distinct free ports.
  static func freePorts(_ count: Int) throws(LocalFleetError) -> [UInt16] {
    var ports: [UInt16] = []
    var attempts = 0
    while ports.count < count {
      attempts += 1
      guard attempts < count * 20 else { throw LocalFleetError("cannot find \(count) free ports") }
      let port = try freePort()
      if !ports.contains(port) { ports.append(port) }
    }
    return ports
  }

  /// Whether something accepts connections on 127.0.0.1:`port` right now.
  public static func accepts(_ port: UInt16) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = loopback(port: port)
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
  }

  static func loopback(port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
  }
}
