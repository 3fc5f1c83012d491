import CGit2

/// Turns what a user writes (branch, tag, commit id, `HEAD`) into a commit id, the way `git`
/// does: exact ref names, then tags, then branches, then (abbreviated) commit ids.
struct RevisionResolver {
  let repository: RepositoryHandle
  /// The ref `HEAD` or no ref means: `HEAD` locally, `refs/remotes/origin/HEAD` in a cache.
  let headReference: String
  /// Where branch names live: `refs/heads/` locally, `refs/remotes/origin/` in a cache.
  let branchPrefixes: [String]

  static func local(_ repository: RepositoryHandle) -> Self {
    Self(
      repository: repository, headReference: "HEAD",
      branchPrefixes: ["refs/heads/", "refs/remotes/"])
  }

  static func cache(_ repository: RepositoryHandle) -> Self {
    Self(
      repository: repository, headReference: "refs/remotes/\(GitMirror.remoteName)/HEAD",
      branchPrefixes: ["refs/remotes/\(GitMirror.remoteName)/"])
  }

  func resolve(_ ref: String?) throws(GitSourceError) -> git_oid {
    let name = ref?.trimmingCharacters(in: .whitespaces) ?? ""
    let shown = name.isEmpty ? "HEAD" : name
    var candidates: [String]
    if name.isEmpty || name == "HEAD" {
      candidates = [headReference]
    } else {
      candidates = (name.hasPrefix("refs/") ? [name] : [])
      candidates += ["refs/tags/\(name)"] + branchPrefixes.map { $0 + name }
    }
    for candidate in candidates {
      var oid = git_oid()
      let code = git_reference_name_to_id(&oid, repository.pointer, candidate)
      if code == 0 { return try peelToCommit(oid, ref: shown) }
      // A missing or malformed name just means "try the next reading".
      if code != GIT_ENOTFOUND.rawValue && code != GIT_EINVALIDSPEC.rawValue {
        try LibGit2.check(code, "resolving \(candidate) in \(repository.displayName)")
      }
    }
    if let oid = try lookupObjectID(prefix: name) { return try peelToCommit(oid, ref: shown) }
    throw .refNotFound(ref: shown, url: repository.displayName)
  }

  /// A full or abbreviated (at least 4 digits) object id present in the object database.
  private func lookupObjectID(prefix: String) throws(GitSourceError) -> git_oid? {
    guard (4...40).contains(prefix.count), prefix.allSatisfy(\.isHexDigit) else { return nil }
    var wanted = git_oid()
    guard git_oid_fromstrn(&wanted, prefix, prefix.count) == 0 else { return nil }
    var object: OpaquePointer?
    let code = git_object_lookup_prefix(
      &object, repository.pointer, &wanted, prefix.count, GIT_OBJECT_ANY)
    if code == GIT_ENOTFOUND.rawValue { return nil }
    try LibGit2.check(code, "looking up \(prefix) in \(repository.displayName)")
    defer { git_object_free(object) }
    return git_object_id(object)!.pointee
  }

  /// Follows annotated tags down to the commit they name.
  private func peelToCommit(_ oid: git_oid, ref: String) throws(GitSourceError) -> git_oid {
    var oid = oid
    var object: OpaquePointer?
    try LibGit2.check(
      git_object_lookup(&object, repository.pointer, &oid, GIT_OBJECT_ANY),
      "reading \(ref) in \(repository.displayName)")
    defer { git_object_free(object) }
    var commit: OpaquePointer?
    guard git_object_peel(&commit, object, GIT_OBJECT_COMMIT) == 0 else {
      throw .notACommit(ref: ref, url: repository.displayName)
    }
    defer { git_object_free(commit) }
    return git_object_id(commit)!.pointee
  }
}
