import Foundation
import Model
import Testing

/// Symbolic links in a tree lead to their targets inside it, and nowhere else.
@Suite("Symbolic links in file trees")
struct FileTreeLinksTests {
  static func tree() -> InMemoryFileTree {
    var tree = InMemoryFileTree(texts: [
      "shared/site.yaml": "kind: Site\n", "shared/app/app.yaml": "kind: App\n",
      "shared/app/base/kustomization.yaml": "resources: []\n",
    ])
    tree.writeLink("sites/paris.yaml", to: "../shared/site.yaml")
    tree.writeLink("apps/shop", to: "../shared/app")
    return tree
  }

  @Test func linksToAFileAndAFolderInsideAreFollowed() throws {
    let tree = Self.tree()
    #expect(try tree.text(of: "sites/paris.yaml") == "kind: Site\n")
    #expect(try tree.entries(of: "sites") == [FileTreeEntry(name: "paris.yaml", kind: .file)])
    #expect(try tree.entries(of: "apps") == [FileTreeEntry(name: "shop", kind: .directory)])
    #expect(
      try tree.entries(of: "apps/shop") == [
        FileTreeEntry(name: "app.yaml", kind: .file), FileTreeEntry(name: "base", kind: .directory),
      ])
    #expect(try tree.text(of: "apps/shop/base/kustomization.yaml") == "resources: []\n")
  }

  @Test func linksLeadingOutsideAreRefusedWhereverTheyAreRead() {
    var tree = Self.tree()
    tree.writeLink("sites/passwd.yaml", to: "/etc/passwd")
    tree.writeLink("apps/escape", to: "../../..")
    #expect(throws: FileTreeError.linkLeavesRoot(path: "sites/passwd.yaml", target: "/etc/passwd"))
    {
      try tree.contents(of: "sites/passwd.yaml")
    }
    #expect(throws: FileTreeError.linkLeavesRoot(path: "sites/passwd.yaml", target: "/etc/passwd"))
    {
      try tree.entries(of: "sites")
    }
    #expect(throws: FileTreeError.linkLeavesRoot(path: "apps/escape", target: "../../..")) {
      try tree.contents(of: "apps/escape/etc/passwd")
    }
    #expect(
      FileTreeError.linkLeavesRoot(path: "apps/escape", target: "../../..").description
        == "apps/escape: symbolic link to ../../.. points outside the repository")
  }

  @Test func linksThatLeadToEachOtherAreRefused() throws {
    var tree = InMemoryFileTree()
    tree.writeLink("a", to: "b")
    tree.writeLink("b", to: "a")
    #expect(throws: FileTreeError.linkLoop(path: "a")) { try tree.contents(of: "a") }
    var loop = InMemoryFileTree(texts: ["apps/x.yaml": "x"])
    loop.writeLink("apps/again", to: ".")
    // A link to its own folder is fine until a path goes round it more often than Linux would.
    #expect(try loop.text(of: "apps/again/again/x.yaml") == "x")
    let deep = "apps/" + String(repeating: "again/", count: SymbolicLinks.maxHops + 1) + "x.yaml"
    #expect(throws: FileTreeError.self) { try loop.contents(of: deep) }
  }

  @Test func aLinkToNothingIsAbsent() throws {
    var tree = Self.tree()
    tree.writeLink("sites/gone.yaml", to: "missing.yaml")
    #expect(try tree.contents(of: "sites/gone.yaml") == nil)
    #expect(try tree.entries(of: "sites")?.map(\.name) == ["paris.yaml"])
  }

  @Test func filesAndRevisionsOverTheLimitsAreRefusedByName() throws {
    let limits = RepositoryLimits(
      bytesPerFile: 100, bytesPerRevision: 250, filesPerRevision: 10, folderDepth: 2,
      renderedBytesPerSite: 1, yaml: .default)
    var count = RevisionBudget(limits: limits)
    try count.admit("a.yaml", bytes: 100)
    #expect(throws: FileTreeError.fileTooLarge(path: "big.yaml", bytes: 101, limit: 100)) {
      try count.admit("big.yaml", bytes: 101)
    }
    try count.admit("b.yaml", bytes: 100)
    #expect(throws: FileTreeError.revisionTooLarge(path: "c.yaml", limit: 250)) {
      try count.admit("c.yaml", bytes: 51)
    }
    try count.admitFolder("a/b")
    #expect(throws: FileTreeError.foldersTooDeep(path: "a/b/c", limit: 2)) {
      try count.admitFolder("a/b/c")
    }
    var fewFiles = limits
    fewFiles.filesPerRevision = 3
    var many = RevisionBudget(limits: fewFiles)
    for name in ["a", "b", "c"] { try many.admit(name, bytes: 0) }
    #expect(throws: FileTreeError.tooManyFiles(path: "d", limit: 3)) {
      try many.admit("d", bytes: 0)
    }
    #expect(
      FileTreeError.fileTooLarge(path: "big.yaml", bytes: 101, limit: 100).description
        == "big.yaml: file is 101 bytes, more than the limit of 100 bytes per file")
  }
}
