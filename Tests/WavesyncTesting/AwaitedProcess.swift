public import Foundation

/// What a finished process printed and how it exited.
public struct ProcessResult: Sendable {
  public var status: Int32
  public var output: String
  public var errors: String
}

/// Runs a process to completion and awaits it without holding a cooperative thread: tests run
/// on a small cooperative pool, and a thread blocked there stalls every other test's timers. Both output
/// streams go to files, so a chatty process never blocks on a full pipe.
public enum AwaitedProcess {
  public static func run(
    _ executable: URL, _ arguments: [String], in directory: URL? = nil,
    environment: [String: String]? = nil
  ) async throws -> ProcessResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    if let environment { process.environment = environment }
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
      "wavesync-process-\(UUID())")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outFile = scratch.appendingPathComponent("out")
    let errFile = scratch.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: outFile)
    process.standardError = try FileHandle(forWritingTo: errFile)
    try process.run()
    // waitUntilExit on a Dispatch thread: Foundation's termination handler was seen never to
    // fire here (the test process also reaps servers and fleets of its own), waiting does.
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
      DispatchQueue.global().async {
        process.waitUntilExit()
        done.resume()
      }
    }
    return ProcessResult(
      status: process.terminationStatus,
      output: (try? String(contentsOf: outFile, encoding: .utf8)) ?? "",
      errors: (try? String(contentsOf: errFile, encoding: .utf8)) ?? "")
  }
}
