import CGit2
import Foundation
import Model

/// Reads a commit's files straight from the object database; no work tree is involved.
///
/// Every blob of the commit's tree is read, recursively, after its size is checked against the
/// limits (from the object header, so an oversized blob is never loaded). Submodule entries
/// (gitlinks) are skipped: their content lives in another repository. Symbolic links are kept as
/// links, which the tree follows only to targets inside it.
struct CommitTreeReader {
  let repository: RepositoryHandle
  var limits: RepositoryLimits = .default

  func files(of commitID: git_oid) throws(GitSourceError) -> InMemoryFileTree {
    var oid = commitID
    var commit: OpaquePointer?
    try LibGit2.check(
      git_commit_lookup(&commit, repository.pointer, &oid),
      "reading commit \(LibGit2.hex(commitID)) in \(repository.displayName)")
    defer { git_commit_free(commit) }
    var tree: OpaquePointer?
    try LibGit2.check(
      git_commit_tree(&tree, commit), "reading the tree of \(LibGit2.hex(commitID))")
    defer { git_tree_free(tree) }
    var database: OpaquePointer?
    try LibGit2.check(
      git_repository_odb(&database, repository.pointer), "opening the objects of the repository")
    defer { git_odb_free(database) }
    var files = InMemoryFileTree()
    var budget = RevisionBudget(limits: limits)
    try collect(tree!, prefix: "", database: database!, budget: &budget, into: &files)
    return files
  }

  private func collect(
    _ tree: OpaquePointer, prefix: String, database: OpaquePointer,
    budget: inout RevisionBudget, into files: inout InMemoryFileTree
  ) throws(GitSourceError) {
    for index in 0..<git_tree_entrycount(tree) {
      guard let entry = git_tree_entry_byindex(tree, index) else { continue }
      let path = prefix + String(cString: git_tree_entry_name(entry))
      let mode = git_tree_entry_filemode(entry)
      if mode == GIT_FILEMODE_COMMIT { continue }
      var id = git_tree_entry_id(entry)!.pointee
      switch git_tree_entry_type(entry) {
      case GIT_OBJECT_TREE:
        do { try budget.admitFolder(path) } catch { throw .fileTree(error) }
        var subtree: OpaquePointer?
        try LibGit2.check(
          git_tree_lookup(&subtree, repository.pointer, &id), "reading directory \(path)")
        defer { git_tree_free(subtree) }
        try collect(subtree!, prefix: path + "/", database: database, budget: &budget, into: &files)
      case GIT_OBJECT_BLOB:
        var size = 0
        var type = GIT_OBJECT_BLOB
        try LibGit2.check(
          git_odb_read_header(&size, &type, database, &id), "reading the size of \(path)")
        do { try budget.admit(path, bytes: size) } catch { throw .fileTree(error) }
        var blob: OpaquePointer?
        try LibGit2.check(git_blob_lookup(&blob, repository.pointer, &id), "reading file \(path)")
        defer { git_blob_free(blob) }
        let bytes = git_blob_rawcontent(blob)
        let data = size == 0 || bytes == nil ? Data() : Data(bytes: bytes!, count: size)
        if mode == GIT_FILEMODE_LINK {
          files.writeLink(path, to: String(decoding: data, as: UTF8.self))
        } else {
          files.write(path, data)
        }
      default:
        continue
      }
    }
  }
}
