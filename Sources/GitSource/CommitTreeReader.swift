import CGit2
import Foundation
import Model

/// Reads a commit's files straight from the object database; no work tree is involved.
///
/// Every blob of the commit's tree is read, recursively. Submodule entries (gitlinks) are
/// skipped: their content lives in another repository. Symbolic links are skipped too, because
/// their "content" is a target path that could point outside the tree.
struct CommitTreeReader {
  let repository: RepositoryHandle

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
    var files = InMemoryFileTree()
    try collect(tree!, prefix: "", into: &files)
    return files
  }

  private func collect(_ tree: OpaquePointer, prefix: String, into files: inout InMemoryFileTree)
    throws(GitSourceError)
  {
    for index in 0..<git_tree_entrycount(tree) {
      guard let entry = git_tree_entry_byindex(tree, index) else { continue }
      let path = prefix + String(cString: git_tree_entry_name(entry))
      let mode = git_tree_entry_filemode(entry)
      if mode == GIT_FILEMODE_LINK || mode == GIT_FILEMODE_COMMIT { continue }
      var id = git_tree_entry_id(entry)!.pointee
      switch git_tree_entry_type(entry) {
      case GIT_OBJECT_TREE:
        var subtree: OpaquePointer?
        try LibGit2.check(
          git_tree_lookup(&subtree, repository.pointer, &id), "reading directory \(path)")
        defer { git_tree_free(subtree) }
        try collect(subtree!, prefix: path + "/", into: &files)
      case GIT_OBJECT_BLOB:
        var blob: OpaquePointer?
        try LibGit2.check(git_blob_lookup(&blob, repository.pointer, &id), "reading file \(path)")
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        let bytes = git_blob_rawcontent(blob)
        files.write(path, size == 0 || bytes == nil ? Data() : Data(bytes: bytes!, count: size))
      default:
        continue
      }
    }
  }
}
