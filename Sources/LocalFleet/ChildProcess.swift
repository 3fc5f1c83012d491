import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One process of the fleet: spawned with `posix_spawn` (stdin from /dev/null or a given
/// descriptor, stdout and stderr to a log file, default signal handling), stopped with SIGTERM,
/// a bounded wait and SIGKILL, and always reaped.
final class ChildProcess: Sendable {
  let name: String
  let pid: pid_t
  let logFile: URL
  private let reaped = Mutex(false)

  /// - Parameters:
  ///   - processGroup: 0 for a new group led by the process, else the group to join.
  ///   - standardInput: a descriptor to become the child's stdin, else /dev/null.
  init(
    name: String, executable: String, arguments: [String], logFile: URL,
    processGroup: pid_t = 0, standardInput: Int32? = nil,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(LocalFleetError) {
    self.name = name
    self.logFile = logFile
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if let standardInput {
      posix_spawn_file_actions_adddup2(&actions, standardInput, 0)
    } else {
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    }
    posix_spawn_file_actions_addopen(
      &actions, 1, logFile.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    // The test runner may block or ignore signals; the servers must see SIGTERM as usual.
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    var allSignals = sigset_t()
    sigfillset(&allSignals)
    posix_spawnattr_setsigdefault(&attributes, &allSignals)
    posix_spawnattr_setpgroup(&attributes, processGroup)
    posix_spawnattr_setflags(
      &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for pointer in argv + envp { free(pointer) } }
    var pid: pid_t = 0
    let code = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    guard code == 0 else {
      throw LocalFleetError(
        "cannot start \(name) (\(executable)): \(String(cString: strerror(code)))")
    }
    self.pid = pid
  }

  /// Whether the process still runs; reaps it once it has exited. Never blocks.
  var isRunning: Bool {
    reaped.withLock { reaped in
      if reaped { return false }
      var status: Int32 = 0
      let result = waitpid(pid, &status, WNOHANG)
      if result == pid || (result < 0 && errno == ECHILD) { reaped = true }
      return !reaped
    }
  }

  /// Sends SIGTERM unless the process is already reaped (its pid could be reused by then).
  func requestStop() {
    reaped.withLock { reaped in
      if !reaped { kill(pid, SIGTERM) }
    }
  }

  /// SIGKILL if still running, then reaps. Blocks until the kernel has taken it down.
  func forceStop() {
    reaped.withLock { reaped in
      guard !reaped else { return }
      kill(pid, SIGKILL)
      var status: Int32 = 0
      while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
      reaped = true
    }
  }

  /// Waits for the process to exit on its own; its exit status, or nil when a signal ended it.
  func waitForExit() -> Int32? {
    reaped.withLock { reaped in
      guard !reaped else { return nil }
      var status: Int32 = 0
      while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
      reaped = true
      // WIFEXITED / WEXITSTATUS, which Swift does not import.
      return status & 0x7f == 0 ? (status >> 8) & 0xff : nil
    }
  }

  /// Stops processes: all get SIGTERM, then they share one wait of at most `grace` seconds, then
  /// SIGKILL for any still running; all are reaped.
  static func stopAll(_ processes: [ChildProcess], grace: Double) {
    for process in processes { process.requestStop() }
    let deadline = Date().addingTimeInterval(grace)
    while processes.contains(where: \.isRunning) && Date() < deadline { usleep(20_000) }
    for process in processes { process.forceStop() }
  }

  /// The last lines of the log, for error messages.
  func logTail(lines: Int = 30) -> String {
    guard let data = try? Data(contentsOf: logFile) else { return "" }
    let text = String(decoding: data.suffix(64 * 1024), as: UTF8.self)
    return text.split(separator: "\n", omittingEmptySubsequences: false)
      .suffix(lines).joined(separator: "\n")
  }

  deinit { forceStop() }
}
