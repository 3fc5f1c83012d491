import Foundation
import Synchronization
import WavesyncTesting

/// The files of the fleet repository most tests serve.
enum FleetFixture {
  static let appYAML = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\n"
  static let valuesYAML = "replicas: 2\n"
  static let readme = "# Fleet\n"

  /// A repository `served/fleet` with one commit of nested files; returns the commit id.
  static func make(in temp: TemporaryDirectory) throws -> (GitRepositoryBuilder, String) {
    let repo = try GitRepositoryBuilder(in: temp.appending("served"), name: "fleet")
    try repo.write("README.md", readme)
    try repo.write("clusters/edge-1/app.yaml", appYAML)
    try repo.write("clusters/edge-1/config/values.yaml", valuesYAML)
    try repo.write("clusters/edge-2/app.yaml", appYAML)
    let commit = try repo.commit("Add edge clusters\n\nTwo clusters to start with.")
    return (repo, commit)
  }

  /// Text that does not compress, so pack sizes reflect how much was sent.
  static func incompressibleText(bytes: Int, seed: UInt64) -> String {
    var state = seed
    var text = ""
    text.reserveCapacity(bytes)
    while text.utf8.count < bytes {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      text += String(state >> 33, radix: 16)
    }
    return text
  }
}

/// Collects progress callbacks, which arrive on libgit2's thread.
final class ProgressLog: Sendable {
  private let reports = Mutex<[Int]>([])

  func record(_ receivedBytes: Int) { reports.withLock { $0.append(receivedBytes) } }
  var receivedBytes: [Int] { reports.withLock { $0 } }
}
