public import Foundation
import LocalFleet

/// A folder of envtest binaries whose kube-apiserver fails at once, printing `message`: the
/// real etcd and controller manager beside a script, for tests of a fleet that cannot start.
public final class FailingEnvtestBinaries: Sendable {
  public let folder: TemporaryDirectory
  public var url: URL { folder.url }

  public init(message: String) throws {
    folder = try TemporaryDirectory("fake-envtest")
    let real = EnvtestFleet.defaultBinaries
    for tool in ["etcd", "kube-controller-manager"] {
      try FileManager.default.createSymbolicLink(
        at: folder.appending(tool), withDestinationURL: real.appendingPathComponent(tool))
    }
    let script = folder.appending("kube-apiserver")
    try "#!/bin/sh\necho '\(message)' >&2\nexit 1\n".write(
      to: script, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
  }
}
