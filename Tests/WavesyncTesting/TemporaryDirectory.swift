public import Foundation

/// A fresh directory under the system temp dir, removed when the value goes away.
public final class TemporaryDirectory: Sendable {
  public let url: URL

  public init(_ label: String = "wavesync-test") throws {
    url = FileManager.default.temporaryDirectory
      .appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  public var path: String { url.path }

  public func appending(_ component: String) -> URL { url.appendingPathComponent(component) }

  deinit { try? FileManager.default.removeItem(at: url) }
}
