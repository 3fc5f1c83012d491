import Foundation
import Rollout

/// Which revisions skip maintenance windows: a commit whose message has the trailer
/// `Wavesync-Urgent: true`, or one the Fleet's `spec.urgentRevisions` lists.
public enum UrgentRevision {
  public static let trailer = "Wavesync-Urgent"

  /// Whether the message's last paragraph (its trailers) says `Wavesync-Urgent: true` (or `yes`),
  /// the key in any case, as git reads trailers.
  public static func hasTrailer(_ message: String) -> Bool {
    let paragraphs = message.split(separator: "\n\n", omittingEmptySubsequences: true)
    guard paragraphs.count > 1, let trailers = paragraphs.last else { return false }
    return trailers.split(separator: "\n").contains { line in
      guard let colon = line.firstIndex(of: ":") else { return false }
      let key = line[..<colon].trimmingCharacters(in: .whitespaces)
      let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      return key.lowercased() == trailer.lowercased()
        && ["true", "yes"].contains(value.lowercased())
    }
  }

  /// Whether `revision` (a full commit id) is listed, in full or by a prefix of 7 or more digits.
  public static func listed(_ revision: String, in list: [String]) -> Bool {
    RolloutControls(urgentRevisions: list).isUrgent(revision)
  }
}
