/// Follows symbolic links inside a file tree: a link leads to its target only when the target is
/// inside the tree, so nothing outside a repository is ever read through one.
public enum SymbolicLinks {
  /// As many links as Linux follows in one path before it gives up (ELOOP).
  public static let maxHops = 40

  /// `path` with every link on the way replaced by its target. `target(prefix)` is the target
  /// written in the link at `prefix`, or nil when `prefix` is not a link. Targets are relative to
  /// the link's folder; an absolute one, or one that climbs above the root, is refused.
  public static func resolve(
    _ path: String, target: (String) throws -> String?
  ) throws -> String {
    var pending = FilePath.normalize(path).split(separator: "/").map(String.init)
    var resolved: [String] = []
    var hops = 0
    while !pending.isEmpty {
      let component = pending.removeFirst()
      let candidate = (resolved + [component]).joined(separator: "/")
      guard let link = try target(candidate) else {
        resolved.append(component)
        continue
      }
      hops += 1
      guard hops <= maxHops else { throw FileTreeError.linkLoop(path: candidate) }
      let joined = FilePath.join(resolved.joined(separator: "/"), link)
      guard !link.hasPrefix("/"), !FilePath.escapesRoot(joined) else {
        throw FileTreeError.linkLeavesRoot(path: candidate, target: link)
      }
      resolved = []
      pending = joined.split(separator: "/").map(String.init) + pending
    }
    return resolved.joined(separator: "/")
  }
}
