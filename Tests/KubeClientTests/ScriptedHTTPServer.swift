import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A plain-HTTP server on 127.0.0.1 that answers each connection with the next scripted reply
/// and closes it: for what a real API server will not do on demand (503, 429, hanging).
final class ScriptedHTTPServer: @unchecked Sendable {
  enum Reply {
    case respond(status: Int, headers: [String: String] = [:], body: String = "")
    /// Reads the request and never answers.
    case hang
  }

  let port: UInt16
  private let socketFD: Int32
  private let lock = NSLock()
  private var replies: [Reply]
  private var seen: [String] = []
  private var stopped = false

  init(_ replies: [Reply]) throws {
    self.replies = replies
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0, listen(fd, 16) == 0 else {
      close(fd)
      throw POSIXError(.EADDRINUSE)
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    port = UInt16(bigEndian: address.sin_port)
    socketFD = fd
    let thread = Thread { [self] in serve() }
    thread.start()
  }

  var url: String { "http://127.0.0.1:\(port)" }

  /// Request lines received so far ("GET /readyz HTTP/1.1").
  var requests: [String] { lock.withLock { seen } }

  /// Wakes the accept loop, which then closes the socket itself: closing it here could hand its
  /// number to another socket while the loop is about to accept on it.
  func stop() {
    lock.withLock { stopped = true }
    shutdown(socketFD, Int32(SHUT_RDWR))
  }

  private func serve() {
    defer { close(socketFD) }
    // Bounded: one connection per scripted reply, then the thread ends.
    while true {
      let connection = accept(socketFD, nil, nil)
      guard connection >= 0 else { return }
      if lock.withLock({ stopped }) {
        close(connection)
        return
      }
      let requestLine = readRequest(connection)
      let reply: Reply? = lock.withLock {
        seen.append(requestLine)
        return replies.isEmpty ? nil : replies.removeFirst()
      }
      switch reply {
      case .respond(let status, let headers, let body):
        var text =
          "HTTP/1.1 \(status) Scripted\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n" + body
        _ = text.withCString { send(connection, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        close(connection)
      case .hang:
        // Left open; the client gives up. Closed when the test process ends.
        break
      case nil:
        close(connection)
        return
      }
    }
  }

  /// Reads headers and a Content-Length body; returns the request line.
  private func readRequest(_ connection: Int32) -> String {
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 65536)
    var expected: Int?
    for _ in 0..<10_000 {
      let count = recv(connection, &buffer, buffer.count, 0)
      if count <= 0 { break }
      data.append(contentsOf: buffer[0..<count])
      if expected == nil, let end = data.range(of: Data("\r\n\r\n".utf8)) {
        let head = String(decoding: data[..<end.lowerBound], as: UTF8.self)
        let length =
          head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
          .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        expected = end.upperBound + length
      }
      if let expected, data.count >= expected { break }
    }
    let text = String(decoding: data, as: UTF8.self)
    return text.components(separatedBy: "\r\n").first ?? ""
  }
}
