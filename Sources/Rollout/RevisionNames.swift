/// How a revision is named in reasons and messages: a commit id by its first 12 characters (as
/// Git abbreviates), anything else as it is.
public func shortRevision(_ revision: String) -> String {
  revision.count == 40 ? String(revision.prefix(12)) : revision
}
