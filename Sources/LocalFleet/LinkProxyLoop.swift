import Dispatch
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The thread of one `LinkProxy` (see there for the threading): accepts connections, connects
/// each to the API server and moves bytes both ways through a `LinkPipe` each. Everything but
/// `shared` is touched only on that thread, hence `@unchecked Sendable`.
final class LinkProxyLoop: @unchecked Sendable {
  private final class Connection {
    let client: Int32
    let server: Int32
    var downlink: LinkPipe
    var uplink: LinkPipe
    var failed = false

    init(client: Int32, server: Int32, downlink: LinkPipe, uplink: LinkPipe) {
      self.client = client
      self.server = server
      self.downlink = downlink
      self.uplink = uplink
    }

    var isFinished: Bool {
      failed || (downlink.destinationShut && uplink.destinationShut)
    }
  }

  private let listener: Int32
  private let wakeReadEnd: Int32
  private let upstreamPort: UInt16
  private let settings: LinkSettings
  private let clock: LinkProxy.Clock
  private let shared: LinkProxyShared
  private let finished: DispatchSemaphore
  private var connections: [Connection] = []
  /// The link's capacity each way, shared by its connections; nil: unlimited.
  private var downlinkBucket: TokenBucket?
  private var uplinkBucket: TokenBucket?
  private var buffer = [UInt8](repeating: 0, count: 16_384)

  /// The longest wait in `poll`, so the loop looks at its state at least this often.
  private static let longestWaitMilliseconds: Int64 = 1000
  /// New connections taken per turn of the loop.
  private static let acceptsPerTurn = 64

  init(
    listener: Int32, wakeReadEnd: Int32, upstreamPort: UInt16, settings: LinkSettings,
    burstBytes: Int64?, clock: @escaping LinkProxy.Clock, shared: LinkProxyShared,
    finished: DispatchSemaphore
  ) {
    self.listener = listener
    self.wakeReadEnd = wakeReadEnd
    self.upstreamPort = upstreamPort
    self.settings = settings
    self.clock = clock
    self.shared = shared
    self.finished = finished
    let now = clock()
    func bucket(_ rate: Int64?) -> TokenBucket? {
      rate.map {
        TokenBucket(
          bytesPerSecond: $0,
          burstBytes: burstBytes ?? TokenBucket.defaultBurst(bytesPerSecond: $0), now: now)
      }
    }
    downlinkBucket = bucket(settings.downlinkBytesPerSecond)
    uplinkBucket = bucket(settings.uplinkBytesPerSecond)
  }

  func run() {
    defer {
      drop(countingAsCut: false)
      close(listener)
      close(wakeReadEnd)
      finished.signal()
    }
    while true {
      guard applyControls() != nil else { return }
      let now = clock()
      for connection in connections { flush(connection, at: now) }
      closeFinished()
      var descriptors = pollSet()
      let wait = waitMilliseconds(at: now)
      _ = poll(&descriptors, nfds_t(descriptors.count), Int32(wait))
      drainWakeUps()
      // Looked at again after the wait: bytes that arrived after a cut are never passed on.
      guard let isCut = applyControls() else { return }
      handle(descriptors, accepting: !isCut)
    }
  }

  /// Applies a cut (drops every connection); whether the link is cut, nil once the proxy stops.
  private func applyControls() -> Bool? {
    let (stopping, isCut, generation) = shared.withLock {
      ($0.stopping, $0.isCut, $0.requestedGeneration)
    }
    if stopping { return nil }
    if isCut { drop(countingAsCut: true) }
    // Acknowledged once applied, so `cut()` returns with every connection gone.
    shared.withLock { $0.appliedGeneration = max($0.appliedGeneration, generation) }
    return isCut
  }

  private func pollSet() -> [pollfd] {
    var descriptors = [
      pollfd(fd: wakeReadEnd, events: Int16(POLLIN), revents: 0),
      pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
    ]
    for connection in connections {
      descriptors.append(
        Self.interest(
          connection.client, reading: connection.uplink.wantsInput,
          writing: connection.downlink.blocked))
      descriptors.append(
        Self.interest(
          connection.server, reading: connection.downlink.wantsInput,
          writing: connection.uplink.blocked))
    }
    return descriptors
  }

  /// A socket with no interest is left out (fd -1): poll would report its hang-up every turn.
  private static func interest(_ fd: Int32, reading: Bool, writing: Bool) -> pollfd {
    let events = (reading ? Int16(POLLIN) : 0) | (writing ? Int16(POLLOUT) : 0)
    return pollfd(fd: events == 0 ? -1 : fd, events: events, revents: 0)
  }

  private func waitMilliseconds(at now: UInt64) -> Int64 {
    var nanoseconds = UInt64(Self.longestWaitMilliseconds) * 1_000_000
    for connection in connections {
      for wait in [
        connection.downlink.nanosecondsUntilWork(at: now, bucket: &downlinkBucket),
        connection.uplink.nanosecondsUntilWork(at: now, bucket: &uplinkBucket),
      ] {
        if let wait { nanoseconds = min(nanoseconds, wait) }
      }
    }
    // Rounded up: waking early finds nothing to do yet.
    return Int64((nanoseconds + 999_999) / 1_000_000)
  }

  /// The connections' events first: `descriptors` lists the connections open before the wait.
  /// A cut link accepts nothing here; the next turn resets what waits.
  private func handle(_ descriptors: [pollfd], accepting: Bool) {
    let now = clock()
    for (index, connection) in connections.enumerated() {
      let client = descriptors[2 + 2 * index]
      let server = descriptors[3 + 2 * index]
      if client.revents & Int16(POLLOUT) != 0 { connection.downlink.blocked = false }
      if server.revents & Int16(POLLOUT) != 0 { connection.uplink.blocked = false }
      if client.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
        receive(connection.client, into: &connection.uplink, of: connection, at: now)
      }
      if server.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
        receive(connection.server, into: &connection.downlink, of: connection, at: now)
      }
    }
    if accepting, descriptors[1].revents & Int16(POLLIN) != 0 { acceptConnections() }
  }

  private func acceptConnections() {
    for _ in 0..<Self.acceptsPerTurn {
      guard let client = ProxySocket.acceptPending(listener) else { return }
      guard let server = ProxySocket.connectLoopback(to: upstreamPort) else {
        // The API server is down: the client sees its connection reset, as without a proxy.
        ProxySocket.reset(client)
        continue
      }
      connections.append(
        Connection(client: client, server: server, downlink: LinkPipe(), uplink: LinkPipe()))
      shared.withLock {
        $0.counters.connections += 1
        $0.counters.openConnections = connections.count
      }
    }
  }

  private func receive(
    _ source: Int32, into pipe: inout LinkPipe, of connection: Connection, at now: UInt64
  ) {
    guard pipe.wantsInput else { return }
    let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
    if count > 0 {
      pipe.enqueue(Array(buffer[0..<count]), received: now, latency: settings.latencyNanoseconds)
    } else if count == 0 {
      pipe.sourceEnded = true
    } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
      connection.failed = true
    }
  }

  private func flush(_ connection: Connection, at now: UInt64) {
    guard !connection.failed else { return }
    for direction in [LinkDirection.downlink, .uplink] {
      let destination = direction == .downlink ? connection.client : connection.server
      let flushed: Bool
      switch direction {
      case .downlink:
        flushed = connection.downlink.flush(
          to: destination, at: now, bucket: &downlinkBucket
        ) { bytes, received in
          shared.withLock { $0.record(.downlink, bytes: bytes, at: now, received: received) }
        }
      case .uplink:
        flushed = connection.uplink.flush(
          to: destination, at: now, bucket: &uplinkBucket
        ) { bytes, received in
          shared.withLock { $0.record(.uplink, bytes: bytes, at: now, received: received) }
        }
      }
      guard flushed else {
        connection.failed = true
        return
      }
      passOnEnd(direction, of: connection, to: destination)
    }
  }

  /// Once a side's end and every byte before it went through, the other side's writing shuts.
  private func passOnEnd(
    _ direction: LinkDirection, of connection: Connection, to destination: Int32
  ) {
    let pipe = direction == .downlink ? connection.downlink : connection.uplink
    guard pipe.sourceEnded, pipe.isDrained, !pipe.destinationShut else { return }
    _ = shutdown(destination, Int32(SHUT_WR))
    switch direction {
    case .downlink: connection.downlink.destinationShut = true
    case .uplink: connection.uplink.destinationShut = true
    }
  }

  private func closeFinished() {
    let (done, open) = connections.partitioned(by: \.isFinished)
    guard !done.isEmpty else { return }
    for connection in done {
      if connection.failed {
        ProxySocket.reset(connection.client)
        ProxySocket.reset(connection.server)
      } else {
        close(connection.client)
        close(connection.server)
      }
    }
    connections = open
    shared.withLock { $0.counters.openConnections = open.count }
  }

  /// Resets every connection (and, counting as cut, every one waiting to be accepted).
  private func drop(countingAsCut: Bool) {
    var dropped = connections.count
    for connection in connections {
      ProxySocket.reset(connection.client)
      ProxySocket.reset(connection.server)
    }
    connections = []
    if countingAsCut {
      for _ in 0..<Self.acceptsPerTurn {
        guard let pending = ProxySocket.acceptPending(listener) else { break }
        ProxySocket.reset(pending)
        dropped += 1
      }
    }
    guard dropped > 0 || !countingAsCut else { return }
    shared.withLock {
      if countingAsCut { $0.counters.droppedConnections += dropped }
      $0.counters.openConnections = 0
    }
  }

  private func drainWakeUps() {
    var bytes = [UInt8](repeating: 0, count: 64)
    // Bounded: the pipe is non-blocking and holds what a few dozen wake-ups wrote.
    for _ in 0..<16 {
      guard read(wakeReadEnd, &bytes, bytes.count) > 0 else { return }
    }
  }
}

extension Array {
  /// The elements that satisfy `belongs`, and the rest, each in their order.
  fileprivate func partitioned(by belongs: (Element) -> Bool) -> (
    matching: [Element], rest: [Element]
  ) {
    var matching: [Element] = []
    var rest: [Element] = []
    for element in self {
      if belongs(element) { matching.append(element) } else { rest.append(element) }
    }
    return (matching, rest)
  }
}
