import Crypto
import Foundation

/// The names Wavesync's resources in the regional cluster go by: the API group and version, the
/// labels that select a fleet's sites, and the name of each site's `FleetSite`.
public enum FleetResourceNames {
  public static let apiVersion = "wavesync.io/v1alpha1"
  public static let fleetKind = "Fleet"
  public static let siteKind = "FleetSite"
  /// On every `FleetSite`: the name of its `Fleet`.
  public static let fleetLabel = "wavesync.io/fleet"
  /// On every `FleetSite` in a rollout: the name of its wave (`kubectl get fleetsites -l`).
  public static let waveLabel = "wavesync.io/wave"
  /// The namespace commands use when none is given.
  public static let defaultNamespace = "wavesync-system"

  /// `<fleet>.<site>` when that is a valid object name, else `<fleet>.<digest of the site>`:
  /// site names come from the repository and may hold any character.
  public static func siteObjectName(fleet: String, site: String) -> String {
    let plain = "\(fleet).\(site)"
    if plain.count <= 253, isSubdomain(plain) { return plain }
    let digest = SHA256.hash(data: Data(site.utf8)).prefix(10)
      .map { String(format: "%02x", $0) }.joined()
    return "\(fleet.prefix(200)).site-\(digest)"
  }

  /// A label value, or nil when `text` cannot be one (the label is then left off).
  public static func labelValue(_ text: String) -> String? {
    guard text.count <= 63, !text.isEmpty else { return text.isEmpty ? "" : nil }
    let allowed = text.allSatisfy {
      $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0))
    }
    guard allowed, text.first!.isLetter || text.first!.isNumber,
      text.last!.isLetter || text.last!.isNumber
    else { return nil }
    return text
  }

  /// A DNS-1123 subdomain: lowercase letters, digits, '-' and '.', each label starting and
  /// ending with a letter or digit.
  static func isSubdomain(_ name: String) -> Bool {
    name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
      guard let first = part.first, let last = part.last, part.count <= 63 else { return false }
      let lowerAlnum: (Character) -> Bool = { $0.isASCII && ($0.isLowercase || $0.isNumber) }
      return lowerAlnum(first) && lowerAlnum(last)
        && part.allSatisfy { lowerAlnum($0) || $0 == "-" }
    }
  }
}
