public import Foundation
public import Model

/// A folder on disk read as a `FileTree`, for sources that are not Git repositories.
///
/// Paths are relative to the root; a path that climbs above it throws `escapesRoot`. Symbolic
/// links are ignored (treated as absent), as in Git snapshots, so nothing outside the root is
/// ever read through one.
public struct LocalDirectoryTree: FileTree {
  /// The root, with symbolic links in it resolved.
  public let root: URL

  public init(root: String) throws(GitSourceError) {
    let resolved = URL(fileURLWithPath: root).standardizedFileURL.resolvingSymlinksInPath()
    guard Self.kind(of: resolved.path) == .directory else { throw .notADirectory(path: root) }
    self.root = resolved
  }

  public func contents(of path: String) throws -> Data? {
    guard let url = try location(of: path), Self.kind(of: url.path) == .file else { return nil }
    return try Data(contentsOf: url)
  }

  public func entries(of directory: String) throws -> [FileTreeEntry]? {
    guard let url = try location(of: directory), Self.kind(of: url.path) == .directory else {
      return nil
    }
    let names = try FileManager.default.contentsOfDirectory(atPath: url.path)
    return names.sorted().compactMap { name in
      switch Self.kind(of: url.appendingPathComponent(name).path) {
      case .file: FileTreeEntry(name: name, kind: .file)
      case .directory: FileTreeEntry(name: name, kind: .directory)
      case .other: nil
      }
    }
  }

  /// Every file under the root, read into memory.
  public func loadAll() throws -> InMemoryFileTree {
    var tree = InMemoryFileTree()
    func walk(_ directory: String) throws {
      for entry in try entries(of: directory) ?? [] {
        let path = FilePath.join(directory, entry.name)
        switch entry.kind {
        case .file: tree.write(path, try contents(of: path) ?? Data())
        case .directory: try walk(path)
        }
      }
    }
    try walk("")
    return tree
  }

  /// The file's location, or `nil` when a symbolic link lies on the way.
  private func location(of path: String) throws -> URL? {
    if FilePath.escapesRoot(path) { throw FileTreeError.escapesRoot(path: path) }
    var url = root
    for component in FilePath.normalize(path).split(separator: "/") {
      url.appendPathComponent(String(component))
      if Self.kind(of: url.path) == .other { return nil }
    }
    return url
  }

  private enum Kind { case file, directory, other }

  /// What is at `path` without following a symbolic link (links, sockets, missing: `.other`).
  private static func kind(of path: String) -> Kind {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
      return .other
    }
    switch attributes[.type] as? FileAttributeType {
    case .typeRegular?: return .file
    case .typeDirectory?: return .directory
    default: return .other
    }
  }
}
