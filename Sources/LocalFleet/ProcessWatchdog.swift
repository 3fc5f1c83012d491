import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Takes the fleet's processes down when the process that started them dies, however it dies.
///
/// A tiny `/bin/sh` leads a process group that every server of the fleet joins. Its stdin is one
/// end of a socket pair whose other end only this process holds (made close-on-exec atomically,
/// so no other child ever inherits it). The kernel closes that end when this process exits, even
/// on SIGKILL or a crash; the shell then reads end-of-file and signals its whole group: SIGTERM,
/// 2 s later it removes the fleet's work directory (when the fleet made it), then SIGKILL.
/// A normal `release()` kills the shell alone first (SIGKILL to its pid, not its group), so it
/// signals no one.
final class ProcessWatchdog: Sendable {
  private let shell: ChildProcess
  private let writeEnd = Mutex<Int32?>(nil)

  /// The process group the fleet's servers join.
  var processGroup: pid_t { shell.pid }

  /// `$1`: the directory to remove, or empty.
  static let script = """
    trap '' TERM INT HUP
    read -r line
    echo "watchdog: the fleet's parent process is gone; stopping the fleet" >&2
    kill -TERM 0
    sleep 2
    [ -n "$1" ] && rm -rf -- "$1"
    kill -KILL 0
    """

  /// - Parameter removing: the work directory to remove when the parent dies, if any.
  init(logFile: URL, removing directory: URL?) throws(LocalFleetError) {
    var ends: [Int32] = [-1, -1]
    guard
      socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0
    else {
      throw LocalFleetError(
        "cannot create the watchdog's socket pair: \(String(cString: strerror(errno)))")
    }
    defer { close(ends[0]) }
    do {
      shell = try ChildProcess(
        name: "watchdog", executable: "/bin/sh",
        arguments: ["-c", Self.script, "wavesync-watchdog", directory?.path ?? ""],
        logFile: logFile, processGroup: 0, standardInput: ends[0])
    } catch {
      close(ends[1])
      throw error
    }
    writeEnd.withLock { $0 = ends[1] }
  }

  /// Lets the shell exit without signalling anyone; call after the servers are stopped.
  func release() {
    shell.forceStop()
    writeEnd.withLock { fd in
      if let descriptor = fd { close(descriptor) }
      fd = nil
    }
  }

  deinit { release() }
}
