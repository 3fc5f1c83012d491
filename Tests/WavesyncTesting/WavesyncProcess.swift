public import Foundation

/// The built `wavesync` executable, run as a user would: arguments in, exit code and both
/// output streams out.
public enum WavesyncProcess {
  public struct Result: Sendable {
    public var status: Int32
    public var output: String
    public var errors: String
  }

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
    _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]
  ) async throws -> Result {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
      "wavesync-cli-\(UUID())")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outFile = scratch.appendingPathComponent("out")
    let errFile = scratch.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: outFile)
    process.standardError = try FileHandle(forWritingTo: errFile)
    // Waits without holding a thread: tests run on a small cooperative pool, and a blocked
    // thread there stalls every other test's timers.
    try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
      process.terminationHandler = { _ in done.resume() }
      do {
        try process.run()
      } catch {
        process.terminationHandler = nil
        done.resume(throwing: error)
      }
    }
    return Result(
      status: process.terminationStatus,
      output: (try? String(contentsOf: outFile, encoding: .utf8)) ?? "",
      errors: (try? String(contentsOf: errFile, encoding: .utf8)) ?? "")
  }
}
