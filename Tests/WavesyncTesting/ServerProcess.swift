public import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

public struct ServerStartError: Error, CustomStringConvertible {
  public var description: String
}

/// A long-running child process (a test server) that is always stopped and reaped:
/// SIGTERM to its whole process group, a bounded wait, then SIGKILL.
///
/// Spawned with posix_spawn and reaped with waitpid rather than Foundation's `Process`, whose
/// `waitUntilExit` was seen spinning forever on Linux after the child had died. Its own process
/// group means the per-connection children a daemon forks go down with it. Output goes to a log
/// file, for failure messages.
public final class ServerProcess {
  public let pid: pid_t
  public let logFile: URL
  private var exited = false

  public init(
    _ executable: String, _ arguments: [String], logFile: URL,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws {
    self.logFile = logFile
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, logFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
    posix_spawnattr_setpgroup(&attributes, 0)

    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for pointer in argv + envp { free(pointer) } }
    var pid: pid_t = 0
    let code = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    guard code == 0 else {
      throw ServerStartError(description: "cannot start \(executable): errno \(code)")
    }
    self.pid = pid
  }

  /// Reaps the process if it has exited; never blocks. Used while starting up, before the
  /// server has forked anything.
  public var isRunning: Bool {
    if exited { return false }
    var status: Int32 = 0
    let result = waitpid(pid, &status, WNOHANG)
    if result == pid || (result < 0 && errno == ECHILD) { exited = true }
    return !exited
  }

  public var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

  /// Polls `ready` every 100 ms, at most `tries` times; fails early if the process exits.
  public func waitUntil(tries: Int = 50, _ ready: () -> Bool) async throws {
    for _ in 0..<tries {
      if ready() { return }
      guard isRunning else {
        throw ServerStartError(description: "server exited during startup: \(log)")
      }
      try await Task.sleep(for: .milliseconds(100))
    }
    throw ServerStartError(description: "server not ready after \(tries) tries: \(log)")
  }

  /// Stops the whole process group and reaps the server. The group is signalled only while the
  /// server is unreaped (at worst a zombie), so its id cannot have been reused by then.
  public func stop() {
    guard !exited else { return }
    kill(-pid, SIGTERM)
    for _ in 0..<50 where !hasExited { usleep(20_000) }
    // Children it forked (one per connection) and a server ignoring SIGTERM leave now.
    kill(-pid, SIGKILL)
    var status: Int32 = 0
    _ = waitpid(pid, &status, 0)
    exited = true
  }

  /// Whether the server has exited, without reaping it (Linux: a zombie in /proc).
  private var hasExited: Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return false }
    return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
  }

  deinit { stop() }
}
