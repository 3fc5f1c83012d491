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

public enum FileTreeError: Error, Sendable, Hashable, CustomStringConvertible {
  case notUTF8(path: String)
  case escapesRoot(path: String)
  /// A symbolic link whose target is absolute or climbs above the root.
  case linkLeavesRoot(path: String, target: String)
  /// More links on the way than `SymbolicLinks.maxHops`: links that lead to each other.
  case linkLoop(path: String)
  case fileTooLarge(path: String, bytes: Int, limit: Int)
  case revisionTooLarge(path: String, limit: Int)
  case tooManyFiles(path: String, limit: Int)
  case foldersTooDeep(path: String, limit: Int)

  public var description: String {
    switch self {
    case .notUTF8(let path): "\(path): file is not valid UTF-8 text"
    case .escapesRoot(let path): "\(path): path leaves the repository root"
    case .linkLeavesRoot(let path, let target):
      "\(path): symbolic link to \(target) points outside the repository"
    case .linkLoop(let path):
      "\(path): more than \(SymbolicLinks.maxHops) symbolic links on the way (links that lead to each other)"
    case .fileTooLarge(let path, let bytes, let limit):
      "\(path): file is \(bytes) bytes, more than the limit of \(limit) bytes per file"
    case .revisionTooLarge(let path, let limit):
      "\(path): the files of the revision, up to this one, hold more than the limit of \(limit) bytes"
    case .foldersTooDeep(let path, let limit):
      "\(path): folders nested more than \(limit) deep"
    case .tooManyFiles(let path, let limit):
      "\(path): the revision holds more than the limit of \(limit) files and symbolic links"
    }
  }
}

/// A file tree held in memory: a Git commit's snapshot, or a tree built by tests. Symbolic links
/// are kept as links and followed when a path is read (see `SymbolicLinks`).
public struct InMemoryFileTree: FileTree, Hashable {
  public private(set) var files: [String: Data]
  /// The targets of symbolic links, by the link's path.
  public private(set) var links: [String: String] = [:]
  /// Every folder that holds a file or a link, at any depth, so a link's kind is found at once.
  private var directories: Set<String> = [""]

  public init(files: [String: Data] = [:]) {
    self.files = [:]
    for (path, data) in files { write(path, data) }
  }

  public init(texts: [String: String]) {
    self.init(files: texts.mapValues { Data($0.utf8) })
  }

  public mutating func write(_ path: String, _ data: Data) {
    let normalized = FilePath.normalize(path)
    files[normalized] = data
    addFolders(of: normalized)
  }
  public mutating func write(_ path: String, text: String) { write(path, Data(text.utf8)) }

  /// A symbolic link at `path` to `target`, written as in the link (relative to its folder).
  public mutating func writeLink(_ path: String, to target: String) {
    let normalized = FilePath.normalize(path)
    links[normalized] = target
    addFolders(of: normalized)
  }

  private mutating func addFolders(of path: String) {
    var folder = FilePath.directory(of: path)
    while directories.insert(folder).inserted && !folder.isEmpty {
      folder = FilePath.directory(of: folder)
    }
  }

  public func contents(of path: String) throws -> Data? { files[try resolve(path)] }

  public func entries(of directory: String) throws -> [FileTreeEntry]? {
    let dir = try resolve(directory)
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
    for path in links.keys where path.hasPrefix(prefix) {
      let rest = path.dropFirst(prefix.count)
      if let slash = rest.firstIndex(of: "/") {
        found[String(rest[..<slash])] = .directory
      } else if let kind = kind(of: try resolve(path)) {
        found[String(rest)] = kind
      }
    }
    if found.isEmpty && !dir.isEmpty { return nil }
    return found.keys.sorted().map { FileTreeEntry(name: $0, kind: found[$0]!) }
  }

  private func resolve(_ path: String) throws -> String {
    if links.isEmpty { return FilePath.normalize(path) }
    return try SymbolicLinks.resolve(path) { links[$0] }
  }

  /// What is at a path with no links on the way; nil for nothing (a dangling link).
  private func kind(of resolved: String) -> FileTreeEntry.Kind? {
    if files[resolved] != nil { return .file }
    return directories.contains(resolved) ? .directory : nil
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
