import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A bearer token kept in a file that its issuer rewrites: a pod's projected service account
/// token is replaced by the kubelet before it expires, so a controller that read it once would
/// be refused an hour or a year later. The file is read again whenever it changes (its inode,
/// size or modification time, checked with one `stat` per request); a change that leaves it
/// unreadable or empty keeps the last token, and the next request looks again.
public final class TokenFile: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
  public let path: String
  private struct Read {
    var token: KubeSecret
    var identity: FileIdentity
  }
  private let last: Mutex<Read>

  /// Reads the token; a file that cannot be read or is empty is a `badConfig` naming it.
  public init(path: String) throws(KubeError) {
    self.path = path
    guard let identity = FileIdentity(path: path), let token = Self.read(path) else {
      throw .badConfig("cannot read a token from \(path) (missing, unreadable or empty)")
    }
    last = Mutex(Read(token: token, identity: identity))
  }

  /// The file's token as of now.
  public var token: KubeSecret {
    last.withLock { read in
      guard let identity = FileIdentity(path: path), identity != read.identity,
        let token = Self.read(path)
      else { return read.token }
      read = Read(token: token, identity: identity)
      return token
    }
  }

  /// client-go trims the file's whitespace (a trailing newline is the norm).
  private static func read(_ path: String) -> KubeSecret? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    let token = String(decoding: data, as: UTF8.self).trimmingCharacters(
      in: .whitespacesAndNewlines)
    return token.isEmpty ? nil : KubeSecret(token)
  }

  public static func == (lhs: TokenFile, rhs: TokenFile) -> Bool { lhs.path == rhs.path }
  public func hash(into hasher: inout Hasher) { hasher.combine(path) }
  public var description: String { "token file \(path)" }
  public var customMirror: Mirror { Mirror(self, children: ["path": path]) }
}

/// What tells a rewritten file from the one last read, without reading it: the kubelet swaps a
/// symlink to a new file (another inode), an editor may rewrite in place (another size or time).
private struct FileIdentity: Equatable {
  var device: UInt64
  var inode: UInt64
  var size: Int64
  var modifiedSeconds: Int
  var modifiedNanoseconds: Int

  init?(path: String) {
    var status = stat()
    guard stat(path, &status) == 0 else { return nil }
    device = UInt64(status.st_dev)
    inode = UInt64(status.st_ino)
    size = Int64(status.st_size)
    modifiedSeconds = Int(status.st_mtim.tv_sec)
    modifiedNanoseconds = Int(status.st_mtim.tv_nsec)
  }
}
