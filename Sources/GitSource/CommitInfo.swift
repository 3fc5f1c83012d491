public import Foundation

/// A commit's id and the metadata a status display needs.
public struct CommitInfo: Sendable, Hashable {
  /// 40 hex digits.
  public var id: String
  public var authorName: String
  public var authorEmail: String
  public var authorDate: Date
  /// The message's first paragraph, on one line.
  public var subject: String
  public var message: String
  public var parentIDs: [String]

  public init(
    id: String, authorName: String, authorEmail: String, authorDate: Date, subject: String,
    message: String, parentIDs: [String]
  ) {
    self.id = id
    self.authorName = authorName
    self.authorEmail = authorEmail
    self.authorDate = authorDate
    self.subject = subject
    self.message = message
    self.parentIDs = parentIDs
  }
}
