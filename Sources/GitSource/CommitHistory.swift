import CGit2

/// `git log`: commits reachable from a starting commit, newest first.
struct CommitHistory {
  let repository: RepositoryHandle

  func commits(from start: git_oid, limit: Int) throws(GitSourceError) -> [CommitInfo] {
    guard limit > 0 else { return [] }
    var walk: OpaquePointer?
    try LibGit2.check(git_revwalk_new(&walk, repository.pointer), "walking history")
    defer { git_revwalk_free(walk) }
    try LibGit2.check(
      git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue),
      "walking history")
    var start = start
    try LibGit2.check(git_revwalk_push(walk, &start), "walking history")
    var commits: [CommitInfo] = []
    var oid = git_oid()
    while commits.count < limit {
      let code = git_revwalk_next(&oid, walk)
      if code == GIT_ITEROVER.rawValue { break }
      try LibGit2.check(code, "walking history of \(repository.displayName)")
      commits.append(try repository.commitInfo(oid))
    }
    return commits
  }
}
