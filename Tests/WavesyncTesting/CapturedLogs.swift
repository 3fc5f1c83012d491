import Foundation
public import Logging

/// A logger that keeps every line (message and metadata) at trace level, to check what the
/// client writes to logs.
public final class CapturedLogs: @unchecked Sendable {
  private let lock = NSLock()
  private var lines: [String] = []

  public init() {}

  public var logger: Logger {
    var logger = Logger(label: "wavesync.kube.test") { _ in Handler(sink: self) }
    logger.logLevel = .trace
    return logger
  }

  public var text: String {
    lock.lock()
    defer { lock.unlock() }
    return lines.joined(separator: "\n")
  }

  fileprivate func append(_ line: String) {
    lock.lock()
    lines.append(line)
    lock.unlock()
  }

  private struct Handler: LogHandler {
    let sink: CapturedLogs
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
      get { metadata[key] }
      set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
      let merged = metadata.merging(event.metadata ?? [:]) { $1 }
      sink.append("\(event.level) \(event.message) \(merged)")
    }
  }
}
