import Dispatch
import Glibc

/// One plain TCP exchange with 127.0.0.1: sends bytes, reads to the end. Blocking socket calls on
/// a Dispatch thread (never the cooperative pool), each bounded by a 30 s socket timeout.
enum RawExchange {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  static func run(port: UInt16, sending request: [UInt8]) async throws -> [UInt8] {
    let result: Result<[UInt8], Failure> = await withCheckedContinuation { done in
      DispatchQueue.global().async { done.resume(returning: exchange(port, request)) }
    }
    return try result.get()
  }

  private static func exchange(_ port: UInt16, _ request: [UInt8]) -> Result<[UInt8], Failure> {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return .failure(Failure(description: "socket: errno \(errno)")) }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 30, tv_usec: 0)
    for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
      _ = setsockopt(fd, SOL_SOCKET, option, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else { return .failure(Failure(description: "connect: errno \(errno)")) }
    guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else {
      return .failure(Failure(description: "send: errno \(errno)"))
    }
    var answer: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    // Bounded: at most a megabyte, then the peer is talking too much for this test.
    while answer.count < 1 << 20 {
      let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      if count == 0 { return .success(answer) }
      guard count > 0 else { return .failure(Failure(description: "recv: errno \(errno)")) }
      answer += buffer[0..<count]
    }
    return .failure(Failure(description: "more than a megabyte came back"))
  }
}
