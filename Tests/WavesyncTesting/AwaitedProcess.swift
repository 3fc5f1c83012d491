public import Foundation

/// What a finished process printed and how it exited.
public struct ProcessResult: Sendable, CustomStringConvertible {
  /// The exit code, or the signal number when `signalled`.
  public var status: Int32
  /// Whether it ended by a signal.
  public var signalled: Bool
  public var output: String
  public var errors: String
  /// The process's peak resident memory, when it was run measuring it.
  public var peakMemoryBytes: Int?

  public var description: String {
    "exit \(signalled ? "by signal " : "")\(status)\n--- stdout\n\(output)--- stderr\n\(errors)"
  }
}

/// The tests' one way to run a process: started at once, awaited without holding a cooperative
/// thread (tests run on a small cooperative pool, and a thread blocked there stalls every other
/// test's timers), killable. Both output streams go to files, so a chatty process never blocks
/// on a full pipe. A process still running after `hangTimeout` is killed and fails the test.
public final class AwaitedProcess: @unchecked Sendable {
  /// The executable's file name.
  public let name: String
  public let arguments: [String]
  private let process = Process()
  private let scratch: URL
  private let outFile: URL
  private let errFile: URL
  /// Where GNU time writes the peak memory, when measuring it.
  private let memoryFile: URL?

  /// GNU time, which reports the peak resident memory (`ru_maxrss`) of the command it runs.
  static let timeCommand = URL(fileURLWithPath: "/usr/bin/time")

  /// Starts `executable`. With `measuringPeakMemory` it runs under GNU time and the result
  /// carries its peak resident memory; the exit status and output are the process's own.
  public init(
    _ executable: URL, _ arguments: [String], in directory: URL? = nil,
    environment: [String: String]? = nil, measuringPeakMemory: Bool = false
  ) throws {
    name = executable.lastPathComponent
    self.arguments = arguments
    scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
      "wavesync-process-\(UUID())")
    outFile = scratch.appendingPathComponent("out")
    errFile = scratch.appendingPathComponent("err")
    memoryFile = measuringPeakMemory ? scratch.appendingPathComponent("peak-kilobytes") : nil
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
    if let memoryFile {
      process.executableURL = Self.timeCommand
      process.arguments = ["-f", "%M", "-o", memoryFile.path, executable.path] + arguments
    } else {
      process.executableURL = executable
      process.arguments = arguments
    }
    process.currentDirectoryURL = directory
    if let environment { process.environment = environment }
    process.standardOutput = try FileHandle(forWritingTo: outFile)
    process.standardError = try FileHandle(forWritingTo: errFile)
    process.standardInput = FileHandle.nullDevice
    try process.run()
  }

  /// Runs `executable` to its end.
  public static func run(
    _ executable: URL, _ arguments: [String], in directory: URL? = nil,
    environment: [String: String]? = nil, measuringPeakMemory: Bool = false
  ) async throws -> ProcessResult {
    try await AwaitedProcess(
      executable, arguments, in: directory, environment: environment,
      measuringPeakMemory: measuringPeakMemory
    ).finish()
  }

  public var pid: Int32 { process.processIdentifier }
  public var isRunning: Bool { process.isRunning }
  /// What it printed so far.
  public var output: String { (try? String(contentsOf: outFile, encoding: .utf8)) ?? "" }
  public var errors: String { (try? String(contentsOf: errFile, encoding: .utf8)) ?? "" }

  /// Sends SIGTERM (as Kubernetes stops a pod).
  public func terminate() {
    if process.isRunning { _ = Foundation.kill(process.processIdentifier, SIGTERM) }
  }

  /// Sends SIGKILL (as a crash or an OOM kill would).
  public func kill() {
    if process.isRunning { _ = Foundation.kill(process.processIdentifier, SIGKILL) }
  }

  /// Waits for the process to end. Past `hangTimeout` it is killed and `TimedOut` thrown, with
  /// what it printed.
  public func finish() async throws -> ProcessResult {
    do {
      try await eventually("\(summary) to exit", interval: .milliseconds(50)) {
        !process.isRunning
      }
    } catch let timedOut as TimedOut {
      kill()
      let killed = await reaped()
      throw TimedOut(description: "\(timedOut.description)\n\(killed)")
    }
    return await reaped()
  }

  /// The result, once the process is reaped: `waitUntilExit` on a Dispatch thread, since
  /// Foundation's termination handler was seen never to fire here (the test process also reaps
  /// servers and fleets of its own). Only called once the process ended or was killed.
  private func reaped() async -> ProcessResult {
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
      DispatchQueue.global().async {
        self.process.waitUntilExit()
        done.resume()
      }
    }
    return ProcessResult(
      status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
      output: output, errors: errors, peakMemoryBytes: memoryFile.flatMap(Self.peakMemory))
  }

  /// GNU time's `%M` (kilobytes), from its last line: it writes a note first when the command
  /// was killed by a signal. Nil when it wrote nothing readable.
  private static func peakMemory(in file: URL) -> Int? {
    guard let text = try? String(contentsOf: file, encoding: .utf8) else { return nil }
    let last = text.split(separator: "\n").last.map(String.init) ?? ""
    return Int(last.trimmingCharacters(in: .whitespaces)).map { $0 * 1024 }
  }

  private var summary: String {
    ([name] + arguments).joined(separator: " ")
  }

  deinit {
    kill()
    try? FileManager.default.removeItem(at: scratch)
  }
}
