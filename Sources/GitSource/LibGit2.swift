import CGit2
import Foundation

/// Process-wide libgit2 setup and small helpers around its C calling conventions.
enum LibGit2 {
  /// libgit2 must be initialised before any other call; a `static let` initialiser runs exactly
  /// once, thread-safely, on first use. libgit2 is never shut down: the process may keep using it.
  private static let initialized: Int32 = git_libgit2_init()

  static func ensureInitialized() { _ = initialized }

  /// Whether this libgit2 was built with an SSH transport (libssh2).
  static var supportsSSH: Bool {
    ensureInitialized()
    return UInt32(bitPattern: git_libgit2_features()) & GIT_FEATURE_SSH.rawValue != 0
  }

  /// The error libgit2 recorded on this thread for the call that just returned `code`.
  static func lastError(code: Int32) -> (klass: Int32, message: String) {
    guard let error = git_error_last(), let message = error.pointee.message else {
      return (0, "libgit2 error \(code)")
    }
    return (error.pointee.klass, String(cString: message))
  }

  /// Throws `GitSourceError.libgit2` when `code` is negative; `context` says what was being done.
  static func check(_ code: Int32, _ context: @autoclosure () -> String) throws(GitSourceError) {
    guard code < 0 else { return }
    let (klass, message) = lastError(code: code)
    throw .libgit2(code: code, klass: klass, message: "\(context()): \(message)")
  }

  /// The 40-hex form of an object id.
  static func hex(_ oid: git_oid) -> String {
    var oid = oid
    var buffer = [CChar](repeating: 0, count: 40)
    git_oid_fmt(&buffer, &oid)
    return String(decoding: buffer.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// SHA-1 (as Git hashes a blob) of `data`, in hex; used for cache names and content hashes.
  static func sha1Hex(_ data: Data) -> String {
    ensureInitialized()
    var oid = git_oid()
    data.withUnsafeBytes { bytes in
      _ = git_odb_hash(&oid, bytes.baseAddress, bytes.count, GIT_OBJECT_BLOB)
    }
    return hex(oid)
  }
}
