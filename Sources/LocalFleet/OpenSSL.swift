import Foundation

/// The `openssl` command line tool, which makes the fleet's keys and certificates.
enum OpenSSL {
  static let executable: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    let candidates = path.split(separator: ":").map { "\($0)/openssl" } + ["/usr/bin/openssl"]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
  }()

  /// Runs `openssl` with `arguments` in `directory`, blocking until it exits (it takes
  /// milliseconds). Its output goes to `openssl.log` there, quoted when it fails.
  static func run(_ arguments: [String], in directory: URL) throws(LocalFleetError) {
    guard let executable else {
      throw LocalFleetError(
        "the local fleet needs the openssl command line tool to make its certificates; "
          + "install it (apt-get install openssl, or run scripts/envtest.sh)")
    }
    let log = directory.appendingPathComponent("openssl.log")
    let process = try ChildProcess(
      name: "openssl", executable: executable, arguments: arguments, logFile: log,
      environment: [
        "PATH": "/usr/bin:/bin", "RANDFILE": directory.appendingPathComponent(".rnd").path,
      ])
    guard process.waitForExit() == 0 else {
      throw LocalFleetError(
        "openssl \(arguments.joined(separator: " ")) failed:\n\(process.logTail(lines: 20))")
    }
  }
}
