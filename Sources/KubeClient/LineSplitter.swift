import Foundation

/// Cuts a byte stream into newline-terminated lines: a watch sends one JSON event per line, and
/// curl hands over chunks that end anywhere.
struct LineSplitter {
  private var pending = Data()

  /// The complete lines in `pending` + `chunk`, without their newlines; empty lines dropped.
  mutating func append(_ chunk: UnsafeRawBufferPointer) -> [Data] {
    var lines: [Data] = []
    var start = 0
    for index in 0..<chunk.count where chunk[index] == UInt8(ascii: "\n") {
      pending.append(contentsOf: chunk[start..<index])
      if !pending.isEmpty { lines.append(pending) }
      pending = Data()
      start = index + 1
    }
    pending.append(contentsOf: chunk[start...])
    return lines
  }

  /// What is left after the stream ends: a last line without its newline.
  mutating func finish() -> Data? {
    defer { pending = Data() }
    let rest = pending.filter { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: " ") }
    return rest.isEmpty ? nil : pending
  }
}
