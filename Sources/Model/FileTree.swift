public import Foundation

/// A read-only tree of files addressed by `/`-separated paths relative to its root
/// (a Git commit, a folder on disk, or one held in memory). Renderers read only through this.
public protocol FileTree: Sendable {
  /// The file's bytes, or `nil` when no file is at `path`.
  func contents(of path: String) throws -> Data?
  /// The names directly inside `directory` (`""` is the root), sorted; `nil` when it is not a directory.
  func entries(of directory: String) throws -> [FileTreeEntry]?
}

public struct FileTreeEntry: Sendable, Hashable {
  public enum Kind: Sendable, Hashable { case file, directory }
  public var name: String
  public var kind: Kind
  public init(name: String, kind: Kind) {
    self.name = name
    self.kind = kind
  }
}

extension FileTree {
  public func isDirectory(_ path: String) throws -> Bool { try entries(of: path) != nil }
  public func isFile(_ path: String) throws -> Bool { try contents(of: path) != nil }

  /// The file as UTF-8 text; `nil` when missing.
  public func text(of path: String) throws -> String? {
    guard let data = try contents(of: path) else { return nil }
    guard let text = String(data: data, encoding: .utf8) else {
      throw FileTreeError.notUTF8(path: path)
    }
    return text
  }
}

public enum FileTreeError: Error, Sendable, Equatable, CustomStringConvertible {
  case notUTF8(path: String)
  case escapesRoot(path: String)

  public var description: String {
    switch self {
    case .notUTF8(let path): "\(path): file is not valid UTF-8 text"
    case .escapesRoot(let path): "\(path): path leaves the repository root"
    }
  }
}

/// A file tree held in memory: a Git commit's snapshot, or a tree built by tests.
public struct InMemoryFileTree: FileTree, Hashable {
  public private(set) var files: [String: Data]

  public init(files: [String: Data] = [:]) {
    self.files = [:]
    for (path, data) in files { self.files[FilePath.normalize(path)] = data }
  }

  public init(texts: [String: String]) {
    self.init(files: texts.mapValues { Data($0.utf8) })
  }

  public mutating func write(_ path: String, _ data: Data) {
    files[FilePath.normalize(path)] = data
  }
  public mutating func write(_ path: String, text: String) { write(path, Data(text.utf8)) }

  public func contents(of path: String) throws -> Data? { files[FilePath.normalize(path)] }

  public func entries(of directory: String) throws -> [FileTreeEntry]? {
    let dir = FilePath.normalize(directory)
    let prefix = dir.isEmpty ? "" : dir + "/"
    var found: [String: FileTreeEntry.Kind] = [:]
    for path in files.keys where path.hasPrefix(prefix) {
      let rest = path.dropFirst(prefix.count)
      if let slash = rest.firstIndex(of: "/") {
        found[String(rest[..<slash])] = .directory
      } else {
        found[String(rest)] = found[String(rest)] ?? .file
      }
    }
    if found.isEmpty && !dir.isEmpty { return nil }
    return found.keys.sorted().map { FileTreeEntry(name: $0, kind: found[$0]!) }
  }
}

/// `/`-separated relative paths, the only kind a FileTree knows.
public enum FilePath {
  /// Drops empty and `.` components and resolves `..`; a path that would climb above the root
  /// keeps its leading `..` so callers can reject it.
  public static func normalize(_ path: String) -> String {
    var parts: [Substring] = []
    for part in path.split(separator: "/", omittingEmptySubsequences: true) {
      if part == "." { continue }
      if part == "..", let last = parts.last, last != ".." {
        parts.removeLast()
        continue
      }
      parts.append(part)
    }
    return parts.joined(separator: "/")
  }

  public static func join(_ base: String, _ relative: String) -> String {
    if relative.hasPrefix("/") { return normalize(relative) }
    return normalize(base.isEmpty ? relative : base + "/" + relative)
  }

  public static func directory(of path: String) -> String {
    let n = normalize(path)
    guard let slash = n.lastIndex(of: "/") else { return "" }
    return String(n[..<slash])
  }

  public static func lastComponent(of path: String) -> String {
    let n = normalize(path)
    guard let slash = n.lastIndex(of: "/") else { return n }
    return String(n[n.index(after: slash)...])
  }

  /// `to` written relative to the directory `from` (both repository paths), with `..` as needed.
  public static func relative(from directory: String, to path: String) -> String {
    let base = normalize(directory).split(separator: "/")
    let target = normalize(path).split(separator: "/")
    var common = 0
    while common < base.count, common < target.count, base[common] == target[common] { common += 1 }
    let ups = Array(repeating: "..", count: base.count - common)
    let parts = ups + target[common...].map(String.init)
    return parts.isEmpty ? "." : parts.joined(separator: "/")
  }

  /// True when the normalized path climbs above the root.
  public static func escapesRoot(_ path: String) -> Bool {
    normalize(path) == ".." || normalize(path).hasPrefix("../")
  }
}
