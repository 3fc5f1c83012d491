import Foundation
import WavesyncTesting

/// Kubeconfig files in a temporary folder, written from inline YAML.
struct KubeconfigFixture {
  let directory: TemporaryDirectory

  init() throws { directory = try TemporaryDirectory("wavesync-kubeconfig") }

  var path: String { directory.path }

  /// Writes `text` at `relativePath` (folders created) and returns the absolute path.
  @discardableResult
  func write(_ relativePath: String, _ text: String) throws -> String {
    let url = directory.appending(relativePath)
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
    return url.path
  }

  static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
}
