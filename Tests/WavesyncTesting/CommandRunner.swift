public import Foundation

public struct CommandError: Error, CustomStringConvertible {
  public var command: String
  public var status: Int32
  public var output: String
  public var description: String { "`\(command)` exited with \(status): \(output)" }
}

/// Runs a short-lived command to completion and returns its standard output.
public enum CommandRunner {
  @discardableResult
  public static func run(
    _ executable: String, _ arguments: [String], in directory: URL? = nil,
    environment: [String: String]? = nil
  ) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = directory
    if let environment { process.environment = environment }
    let output = Pipe()
    // Errors go to a file, so a chatty command can never block on a full pipe we don't read.
    let errorLog = FileManager.default.temporaryDirectory
      .appendingPathComponent("wavesync-cmd-\(UUID().uuidString).log")
    _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errorLog) }
    process.standardOutput = output
    process.standardError = try FileHandle(forWritingTo: errorLog)
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0 else {
      let errors = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
      throw CommandError(
        command: ([executable] + arguments).joined(separator: " "),
        status: process.terminationStatus, output: text + errors)
    }
    return text
  }

  /// The same, awaited without holding a thread of the cooperative pool (see `AwaitedProcess`).
  @discardableResult
  public static func run(
    _ executable: String, _ arguments: [String], in directory: URL? = nil,
    environment: [String: String]? = nil
  ) async throws -> String {
    let result = try await AwaitedProcess.run(
      URL(fileURLWithPath: executable), arguments, in: directory, environment: environment)
    guard result.status == 0 else {
      throw CommandError(
        command: ([executable] + arguments).joined(separator: " "), status: result.status,
        output: result.output + result.errors)
    }
    return result.output
  }
}
