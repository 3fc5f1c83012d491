public import Foundation
public import Model

/// A folder on disk read as a `FileTree`, for sources that are not Git repositories.
///
/// Paths are relative to the root; a path that climbs above it throws `escapesRoot`. Symbolic
/// links are followed to their targets inside the root (`SymbolicLinks`); one that points outside
/// throws `linkLeavesRoot`, so nothing outside the root is ever read through one. Files over
/// the limits' `bytesPerFile` are refused before they are read.
public struct LocalDirectoryTree: FileTree {
  /// The root, with symbolic links in it resolved.
  public let root: URL
  public let limits: RepositoryLimits

  public init(root: String, limits: RepositoryLimits = .default) throws(GitSourceError) {
    let resolved = URL(fileURLWithPath: root).standardizedFileURL.resolvingSymlinksInPath()
    guard Self.kind(of: resolved.path) == .directory else { throw .notADirectory(path: root) }
    self.root = resolved
    self.limits = limits
  }

  public func contents(of path: String) throws -> Data? {
    let resolved = try resolve(path)
    let url = location(of: resolved)
    guard Self.kind(of: url.path) == .file else { return nil }
    var budget = RevisionBudget(limits: limits)
    try budget.admit(resolved, bytes: Self.size(of: url.path))
    return try Data(contentsOf: url)
  }

  public func entries(of directory: String) throws -> [FileTreeEntry]? {
    let resolved = try resolve(directory)
    let url = location(of: resolved)
    guard Self.kind(of: url.path) == .directory else { return nil }
    let names = try FileManager.default.contentsOfDirectory(atPath: url.path)
    var entries: [FileTreeEntry] = []
    for name in names.sorted() {
      var kind = Self.kind(of: url.appendingPathComponent(name).path)
      if kind == .link {
        kind = Self.kind(of: location(of: try resolve(FilePath.join(resolved, name))).path)
      }
      switch kind {
      case .file: entries.append(FileTreeEntry(name: name, kind: .file))
      case .directory: entries.append(FileTreeEntry(name: name, kind: .directory))
      case .link, .other: continue
      }
    }
    return entries
  }

  /// Every file under the root, read into memory; symbolic links are kept as links, and the
  /// files together may not exceed the limits' `bytesPerRevision`.
  public func loadAll() throws -> InMemoryFileTree {
    var tree = InMemoryFileTree()
    var budget = RevisionBudget(limits: limits)
    func walk(_ directory: String) throws {
      let url = location(of: directory)
      for name in try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() {
        let path = FilePath.join(directory, name)
        let item = url.appendingPathComponent(name).path
        switch Self.kind(of: item) {
        case .file:
          try budget.admit(path, bytes: Self.size(of: item))
          tree.write(path, try Data(contentsOf: URL(fileURLWithPath: item)))
        case .directory:
          try budget.admitFolder(path)
          try walk(path)
        case .link:
          let target = try linkTarget(of: path)
          try budget.admit(path, bytes: target.utf8.count)
          tree.writeLink(path, to: target)
        case .other: continue
        }
      }
    }
    try walk("")
    return tree
  }

  /// `path` with the symbolic links on the way followed, inside the root.
  private func resolve(_ path: String) throws -> String {
    if FilePath.escapesRoot(path) { throw FileTreeError.escapesRoot(path: path) }
    return try SymbolicLinks.resolve(path) { prefix in
      Self.kind(of: location(of: prefix).path) == .link ? try linkTarget(of: prefix) : nil
    }
  }

  /// The target of the link at `path`; an absolute target inside the root is made relative, so
  /// it reads the same as in the tree `loadAll` makes.
  private func linkTarget(of path: String) throws -> String {
    let target = try FileManager.default.destinationOfSymbolicLink(atPath: location(of: path).path)
    guard target.hasPrefix(root.path + "/") else { return target }
    return FilePath.relative(
      from: FilePath.directory(of: path), to: String(target.dropFirst(root.path.count + 1)))
  }

  private func location(of resolved: String) -> URL {
    resolved.split(separator: "/").reduce(root) { $0.appendingPathComponent(String($1)) }
  }

  private enum Kind { case file, directory, link, other }

  /// What is at `path` without following a symbolic link (sockets, missing: `.other`).
  private static func kind(of path: String) -> Kind {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
      return .other
    }
    switch attributes[.type] as? FileAttributeType {
    case .typeRegular?: return .file
    case .typeDirectory?: return .directory
    case .typeSymbolicLink?: return .link
    default: return .other
    }
  }

  private static func size(of path: String) throws -> Int {
    try (FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
  }
}
