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

  /// Runs `wavesync ARGUMENTS` to its end.
  public static func run(
    _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
    measuringPeakMemory: Bool = false
  ) async throws -> Result {
    try await start(
      arguments, in: directory, environment: environment,
      measuringPeakMemory: measuringPeakMemory
    ).finish()
  }

  /// Starts `wavesync ARGUMENTS`, for a test that acts while it runs.
  public static func start(
    _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
    measuringPeakMemory: Bool = false
  ) throws -> AwaitedProcess {
    try AwaitedProcess(
      executable, arguments, in: directory,
      environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
      measuringPeakMemory: measuringPeakMemory)
  }
}
