public import Foundation
public import Model

/// Everything the Git source can fail with. URLs in cases and messages never carry userinfo, and
/// texts that came from libgit2 have known secrets replaced, so errors are safe to log.
public enum GitSourceError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
  /// The remote could not be contacted (connection refused, DNS failure, timeout, hang-up).
  case unreachable(url: String, detail: String)
  /// The remote refused the credentials given.
  case authenticationFailed(url: String)
  /// The remote asked for credentials but none of the kind it accepts were given.
  case credentialsRequired(url: String)
  /// The URL needs SSH, but this libgit2 was built without it.
  case sshNotSupported(url: String)
  /// Nothing has been fetched from the remote yet, so there is no cache to read.
  case notCached(url: String)
  /// No branch, tag or commit of that name in the repository (or its cache).
  case refNotFound(ref: String, url: String)
  /// The ref names something that is not a commit (a tag of a tree, say).
  case notACommit(ref: String, url: String)
  case notARepository(path: String)
  case notADirectory(path: String)
  /// A plain directory has no history, so it cannot be read at a ref.
  case refOnPlainDirectory(ref: String, path: String)
  /// A credentials file or environment could not be used; never quotes a secret.
  case invalidCredentials(reason: String)
  /// The revision passes the repository limits (a file too large, too many files).
  case fileTree(FileTreeError)
  /// Any other libgit2 failure; `message` starts with what was being done.
  case libgit2(code: Int32, klass: Int32, message: String)

  public var description: String {
    switch self {
    case .unreachable(let url, let detail): "cannot reach \(url): \(detail)"
    case .authenticationFailed(let url): "authentication failed for \(url)"
    case .credentialsRequired(let url):
      "\(url) requires authentication, but no usable credentials were given"
    case .sshNotSupported(let url):
      "\(url) needs SSH, but the system libgit2 was built without SSH support"
    case .notCached(let url): "nothing has been fetched from \(url) yet"
    case .refNotFound(let ref, let url): "ref \"\(ref)\" not found in \(url)"
    case .notACommit(let ref, let url): "ref \"\(ref)\" in \(url) does not name a commit"
    case .notARepository(let path): "\(path) is not a Git repository"
    case .notADirectory(let path): "\(path) is not a directory"
    case .refOnPlainDirectory(let ref, let path):
      "\(path) is a plain directory, not a Git repository, so it cannot be read at ref \"\(ref)\""
    case .invalidCredentials(let reason): "invalid Git credentials: \(reason)"
    case .fileTree(let error): error.description
    case .libgit2(let code, _, let message): "\(message) (libgit2 error \(code))"
    }
  }

  public var errorDescription: String? { description }
}
