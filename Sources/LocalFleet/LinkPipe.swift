/// One direction of one proxied connection: chunks read from one socket, each waiting for its
/// due time (read time plus latency) and for tokens of the link's bucket for that direction
/// (shared by every connection, as a link's capacity is), then written to the other socket in
/// order.
struct LinkPipe {
  struct Chunk {
    var received: UInt64
    var due: UInt64
    var bytes: [UInt8]
    var offset = 0
    var remaining: Int { bytes.count - offset }
  }

  private(set) var chunks: [Chunk] = []
  private(set) var queuedBytes = 0
  /// The source sent its end (or the pipe gave up).
  var sourceEnded = false
  /// The end was passed on: the destination's writing side is shut.
  var destinationShut = false
  /// The destination's buffer was full at the last write; wait for it to drain.
  var blocked = false

  /// Reading stops above this much queued, so TCP slows the sender down instead.
  static let queueLimit = 1 << 20
  /// Writes below this size (or a chunk's rest) wait for more tokens, not to trickle bytes.
  static let smallestWrite: Int64 = 4096

  var wantsInput: Bool { !sourceEnded && queuedBytes < Self.queueLimit }

  mutating func enqueue(_ bytes: [UInt8], received: UInt64, latency: UInt64) {
    chunks.append(Chunk(received: received, due: received + latency, bytes: bytes))
    queuedBytes += bytes.count
  }

  /// Writes what is due and allowed at `now` to `destination`, calling `released` with each
  /// write's size and when its chunk was read; false when the destination failed (the
  /// connection is to be closed).
  mutating func flush(
    to destination: Int32, at now: UInt64, bucket: inout TokenBucket?,
    released: (Int64, UInt64) -> Void
  ) -> Bool {
    while !blocked, let head = chunks.first, head.due <= now {
      var allowed = Int64(head.remaining)
      if var limited = bucket {
        let available = limited.available(at: now)
        guard available >= min(allowed, threshold(limited)) else { break }
        allowed = min(allowed, available)
        bucket = limited
      }
      let written = head.bytes.withUnsafeBytes { all in
        ProxySocket.sendSome(
          destination,
          UnsafeRawBufferPointer(rebasing: all[head.offset..<head.offset + Int(allowed)]))
      }
      guard let written else { return false }
      guard written > 0 else {
        blocked = true
        break
      }
      _ = bucket?.take(upTo: Int64(written), at: now)
      released(Int64(written), head.received)
      queuedBytes -= written
      if written == head.remaining {
        chunks.removeFirst()
      } else {
        chunks[0].offset += written
      }
    }
    return true
  }

  /// Nanoseconds until this pipe can write again on its own (not waiting for the socket); nil
  /// when it has nothing to write or waits for the destination to drain.
  mutating func nanosecondsUntilWork(at now: UInt64, bucket: inout TokenBucket?) -> UInt64? {
    guard !blocked, let head = chunks.first else { return nil }
    if head.due > now { return head.due - now }
    guard var limited = bucket else { return 0 }
    let wait = limited.nanosecondsUntil(min(Int64(head.remaining), threshold(limited)), at: now)
    bucket = limited
    return wait
  }

  var isDrained: Bool { chunks.isEmpty }

  private func threshold(_ bucket: TokenBucket) -> Int64 {
    min(Self.smallestWrite, bucket.burstBytes)
  }
}
