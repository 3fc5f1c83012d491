public import Foundation

/// What a finished process printed and how it exited.
public struct ProcessResult: Sendable {
  public var status: Int32
  public var output: String
  public var errors: String
  /// The process's peak resident memory, when it was run measuring it.
  public var peakMemoryBytes: Int?
}

/// Runs a process to completion and awaits it without holding a cooperative thread: tests run
/// on a small cooperative pool, and a thread blocked there stalls every other test's timers. Both output
/// streams go to files, so a chatty process never blocks on a full pipe.
public enum AwaitedProcess {
  /// GNU time, which reports the peak resident memory (`ru_maxrss`) of the command it runs.
  static let timeCommand = URL(fileURLWithPath: "/usr/bin/time")

  /// With `measuringPeakMemory`, the process runs under GNU time and the result carries its peak
  /// resident memory; the exit status and output are the process's own.
  public static func run(
    _ executable: URL, _ arguments: [String], in directory: URL? = nil,
    environment: [String: String]? = nil, measuringPeakMemory: Bool = false
  ) async throws -> ProcessResult {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
      "wavesync-process-\(UUID())")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let memoryFile = scratch.appendingPathComponent("peak-kilobytes")
    let process = Process()
    if measuringPeakMemory {
      process.executableURL = timeCommand
      process.arguments = ["-f", "%M", "-o", memoryFile.path, executable.path] + arguments
    } else {
      process.executableURL = executable
      process.arguments = arguments
    }
    process.currentDirectoryURL = directory
    if let environment { process.environment = environment }
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
      errors: (try? String(contentsOf: errFile, encoding: .utf8)) ?? "",
      peakMemoryBytes: measuringPeakMemory ? try peakMemory(in: memoryFile) : nil)
  }

  /// GNU time's `%M` (kilobytes); its last line, as it writes a note first when the command was
  /// killed by a signal.
  private static func peakMemory(in file: URL) throws -> Int {
    let text = try String(contentsOf: file, encoding: .utf8)
    let last = text.split(separator: "\n").last.map(String.init) ?? ""
    guard let kilobytes = Int(last.trimmingCharacters(in: .whitespaces)) else {
      throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: file.path])
    }
    return kilobytes * 1024
  }
}
