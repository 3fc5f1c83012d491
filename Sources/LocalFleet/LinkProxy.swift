import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A TCP proxy on 127.0.0.1 in front of one site's kube-apiserver that makes loopback feel like
/// the site's link: each direction at its rate (a token bucket), every chunk delayed by the
/// latency, and the link cut and restored on demand. TLS passes through untouched (the serving
/// certificate is for 127.0.0.1, so a kubeconfig only changes its server's port).
///
/// Threading: one dedicated thread per proxy runs a `poll` loop over the listening socket, a
/// wake-up pipe and every connection's two sockets (non-blocking), so slow links never hold a
/// thread of Swift's cooperative pool. Other threads only change the shared state (cut, stop)
/// under a lock and write a byte to the pipe; the sockets and queues belong to the loop thread.
/// The loop waits at most a second at a time and ends when the proxy stops.
public final class LinkProxy: Sendable {
  /// The port clients connect to.
  public let port: UInt16
  /// The API server's port on 127.0.0.1.
  public let upstreamPort: UInt16
  public let settings: LinkSettings
  let shared = LinkProxyShared()
  private let wakeWriteEnd: Int32
  private let finished: DispatchSemaphore

  /// The clock the proxy reads (nanoseconds, monotonic): `DispatchTime`'s uptime by default.
  public typealias Clock = @Sendable () -> UInt64
  public static let monotonicClock: Clock = { DispatchTime.now().uptimeNanoseconds }

  /// Listens on a fresh port of 127.0.0.1 and starts the proxy's thread.
  ///
  /// - Parameters:
  ///   - burstBytes: the token buckets' burst; default `TokenBucket.defaultBurst`.
  ///   - clock: what time it is, for the buckets, the latency and `releases`.
  public init(
    upstreamPort: UInt16, settings: LinkSettings, burstBytes: Int64? = nil,
    clock: @escaping Clock = LinkProxy.monotonicClock
  ) throws(LocalFleetError) {
    self.upstreamPort = upstreamPort
    self.settings = settings
    let listener = try ProxySocket.makeListener()
    var pipeEnds: [Int32] = [-1, -1]
    guard pipe(&pipeEnds) == 0 else {
      close(listener.descriptor)
      throw LocalFleetError("cannot create the link proxy's pipe: errno \(errno)")
    }
    for end in pipeEnds { ProxySocket.configure(end) }
    port = listener.port
    wakeWriteEnd = pipeEnds[1]
    finished = DispatchSemaphore(value: 0)
    let loop = LinkProxyLoop(
      listener: listener.descriptor, wakeReadEnd: pipeEnds[0], upstreamPort: upstreamPort,
      settings: settings, burstBytes: burstBytes, clock: clock, shared: shared,
      finished: finished)
    let thread = Thread { loop.run() }
    thread.name = "wavesync.link-proxy.\(listener.port)"
    thread.start()
  }

  /// Cuts the link: open connections are closed and new ones are accepted and closed at once
  /// (a reset), until `restore()`. Returns once the proxy's thread has applied it (one turn of
  /// its loop; at most 2 s): no byte sent after that reaches the other side.
  public func cut() { change(cut: true) }

  /// Accepts and passes on connections again; returns once the proxy's thread has applied it.
  public func restore() { change(cut: false) }

  public var isCut: Bool { shared.withLock { $0.isCut } }

  public var counters: LinkCounters { shared.withLock { $0.counters } }

  /// The last releases (at most `LinkProxyState.releasesKept`) in one direction, oldest first:
  /// when, by the proxy's clock, how many bytes were written.
  public func releases(_ direction: LinkDirection) -> [LinkRelease] {
    shared.withLock { $0.releases[direction]?.elements ?? [] }
  }

  /// Forgets the releases recorded so far (the counters stay).
  public func clearReleases() {
    shared.withLock { $0.releases = [:] }
  }

  /// Stops the thread and closes every socket; waits at most about two seconds. Idempotent.
  public func stop() {
    let first = shared.withLock { state in
      defer { state.stopping = true }
      return !state.stopping
    }
    guard first else { return }
    wake()
    _ = finished.wait(timeout: .now() + 2)
    close(wakeWriteEnd)
  }

  private func change(cut: Bool) {
    let generation = shared.withLock { state in
      state.isCut = cut
      state.requestedGeneration += 1
      return state.requestedGeneration
    }
    wake()
    // Bounded: the loop acknowledges at its next turn, which no wait of its own delays now.
    for _ in 0..<10_000 {
      if shared.withLock({ $0.appliedGeneration >= generation || $0.stopping }) { return }
      usleep(200)
    }
  }

  private func wake() {
    var byte: UInt8 = 1
    // A full pipe already wakes the loop; nothing is lost when this write fails.
    _ = write(wakeWriteEnd, &byte, 1)
  }

  deinit { stop() }
}

/// The proxy's state under its lock, in a class: the proxy and its thread's loop both hold it.
final class LinkProxyShared: Sendable {
  private let state = Mutex(LinkProxyState())

  func withLock<T>(_ body: (inout LinkProxyState) -> T) -> T {
    state.withLock { body(&$0) }
  }
}

/// What the proxy's thread and its callers share, under the proxy's lock.
struct LinkProxyState {
  var isCut = false
  var stopping = false
  /// Cuts and restores asked for, and how many of them the loop has applied.
  var requestedGeneration = 0
  var appliedGeneration = 0
  var counters = LinkCounters()
  var releases: [LinkDirection: ReleaseLog] = [:]

  static let releasesKept = 100_000

  mutating func record(
    _ direction: LinkDirection, bytes: Int64, at now: UInt64, received: UInt64
  ) {
    switch direction {
    case .downlink: counters.downlinkBytes += bytes
    case .uplink: counters.uplinkBytes += bytes
    }
    releases[direction, default: ReleaseLog()].append(
      LinkRelease(nanoseconds: now, bytes: bytes, receivedNanoseconds: received))
  }
}

/// The last `LinkProxyState.releasesKept` releases, in a ring.
struct ReleaseLog {
  private var ring: [LinkRelease] = []
  private var next = 0

  mutating func append(_ release: LinkRelease) {
    if ring.count < LinkProxyState.releasesKept {
      ring.append(release)
    } else {
      ring[next] = release
      next = (next + 1) % ring.count
    }
  }

  var elements: [LinkRelease] { Array(ring[next...] + ring[..<next]) }
}
