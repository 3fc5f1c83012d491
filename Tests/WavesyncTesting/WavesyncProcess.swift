public import Foundation

/// The built `wavesync` executable, run as a user would: arguments in, exit code and both
/// output streams out.
public enum WavesyncProcess {
  public typealias Result = ProcessResult

  /// Next to the test bundle (`swift build --build-tests` builds it there), else `.build/debug`.
  public static let executable: URL = {
    let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
      .deletingLastPathComponent()
    for candidate in [
      bundleDirectory.appendingPathComponent("wavesync"),
      bundleDirectory.deletingLastPathComponent().appendingPathComponent("wavesync"),
      RepositoryPaths.root.appendingPathComponent(".build/debug/wavesync"),
    ] where FileManager.default.isExecutableFile(atPath: candidate.path) {
      return candidate
    }
    return RepositoryPaths.root.appendingPathComponent(".build/debug/wavesync")
  }()

  public static func run(
    _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
    measuringPeakMemory: Bool = false
  ) async throws -> Result {
    try await AwaitedProcess.run(
      executable, arguments, in: directory,
      environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
      measuringPeakMemory: measuringPeakMemory)
  }
}
