extension ServerProcess {
  /// Starts a server on a free loopback port and waits until it accepts connections there
  /// (polled with `eventually`; a server that exits meanwhile fails at once). A few ports are
  /// tried, in case another process grabs the chosen one first. `start` spawns the server for a
  /// port and a try number (for distinct log files).
  public static func onFreeLoopbackPort(
    _ what: String, attempts: Int = 3,
    _ start: (_ port: UInt16, _ attempt: Int) throws -> ServerProcess
  ) async throws -> (process: ServerProcess, port: UInt16) {
    var lastError: any Error = ServerStartError(description: "\(what) did not start")
    for attempt in 0..<attempts {
      let port = try LoopbackPort.free()
      let process = try start(port, attempt)
      do {
        try await eventually("\(what) listening on 127.0.0.1:\(port)") { note in
          guard process.isRunning else {
            throw ServerStartError(description: "\(what) exited: \(process.log)")
          }
          note(process.log)
          return LoopbackPort.accepts(port) ? () : nil
        }
        return (process, port)
      } catch {
        process.stop()
        lastError = error
      }
    }
    throw lastError
  }
}
