#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The socket calls of the link proxy: non-blocking, close-on-exec descriptors on 127.0.0.1.
enum ProxySocket {
  /// A listening socket on a port the kernel picks.
  static func makeListener() throws(LocalFleetError) -> (descriptor: Int32, port: UInt16) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw LocalFleetError("cannot open a socket: errno \(errno)") }
    var address = LoopbackSocket.loopback(port: 0)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0, listen(fd, 128) == 0 else {
      let problem = errno
      close(fd)
      throw LocalFleetError("cannot listen on 127.0.0.1 for a link proxy: errno \(problem)")
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    configure(fd)
    return (fd, UInt16(bigEndian: address.sin_port))
  }

  /// A connection to 127.0.0.1:`port`, or nil when refused. Connecting on loopback completes at
  /// once (accepted or refused), so this blocking call never waits on the network.
  static func connectLoopback(to port: UInt16) -> Int32? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    var address = LoopbackSocket.loopback(port: port)
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else {
      close(fd)
      return nil
    }
    configure(fd)
    return fd
  }

  /// The next pending connection, or nil when there is none.
  static func acceptPending(_ listener: Int32) -> Int32? {
    let fd = accept(listener, nil, nil)
    guard fd >= 0 else { return nil }
    configure(fd)
    return fd
  }

  /// Non-blocking and close-on-exec (the fleet's servers must not inherit it).
  static func configure(_ fd: Int32) {
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
  }

  /// Closes with a reset rather than an orderly end, as a dropped link looks to the peer.
  static func reset(_ fd: Int32) {
    var option = linger(l_onoff: 1, l_linger: 0)
    _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
    close(fd)
  }

  /// Writes what it can without blocking: the count, 0 when the socket is full, nil on error.
  static func sendSome(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int? {
    let written = send(fd, bytes.baseAddress, bytes.count, noSignal)
    if written >= 0 { return written }
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : nil
  }

  /// A peer gone away is an error to handle, not a SIGPIPE that ends the process.
  #if canImport(Glibc)
    private static let noSignal = Int32(MSG_NOSIGNAL)
  #else
    private static let noSignal: Int32 = 0
  #endif
}
