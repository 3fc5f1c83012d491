import Foundation

/// Where etcd, kube-apiserver and kube-controller-manager are: the folder `scripts/envtest.sh`
/// fills (and prints).
struct EnvtestBinaries: Sendable {
  static let version = "v1.20.2"

  var directory: URL
  var etcd: String { directory.appendingPathComponent("etcd").path }
  var kubeAPIServer: String { directory.appendingPathComponent("kube-apiserver").path }
  var kubeControllerManager: String {
    directory.appendingPathComponent("kube-controller-manager").path
  }

  /// `$WAVESYNC_ENVTEST_BIN`, else `~/.cache/wavesync/envtest/v1.20.2/bin`.
  static var defaultDirectory: URL {
    let environment = ProcessInfo.processInfo.environment
    if let folder = environment["WAVESYNC_ENVTEST_BIN"], !folder.isEmpty {
      return URL(fileURLWithPath: folder, isDirectory: true)
    }
    return FileManager.default.homeDirectoryForCurrentUser
      .appendingPathComponent(".cache/wavesync/envtest/\(version)/bin", isDirectory: true)
  }

  /// The binaries in `directory` (default: `defaultDirectory`), each checked to be executable.
  static func locate(in directory: URL?) throws(LocalFleetError) -> EnvtestBinaries {
    let binaries = EnvtestBinaries(directory: directory ?? defaultDirectory)
    let missing = [binaries.etcd, binaries.kubeAPIServer, binaries.kubeControllerManager]
      .filter { !FileManager.default.isExecutableFile(atPath: $0) }
    guard missing.isEmpty else {
      throw LocalFleetError(
        "the local fleet needs \(missing.joined(separator: ", ")) (Kubernetes \(version)), "
          + "which is missing or not executable; run `bash scripts/envtest.sh` to build and "
          + "cache the binaries, and set WAVESYNC_ENVTEST_BIN to the folder it prints")
    }
    return binaries
  }
}
