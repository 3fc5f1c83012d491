import Foundation
public import Model

/// What a rollout moves over each site's link, and when each site may take changes: the inputs of
/// the engine's start decisions (see "Traffic" at the top of RolloutEngine.swift).
public struct RolloutTraffic: Sendable {
  /// Bytes per second of the region's uplink the rollout may use; nil when unlimited.
  public let uplinkBytesPerSecond: Double?
  /// Whether maintenance windows are ignored (an urgent revision).
  public let urgent: Bool
  private let sites: [String: Site]
  private let payloadBytes: [String: Int64]
  /// Whether any site has maintenance windows.
  let hasWindows: Bool
  /// Tells this traffic from any other, for what the engine derives from it (`WaveTally`).
  let identity = Identity()

  final class Identity: Sendable {}

  /// `payloadBytes`: what each site must pull for the revision (its image layers and apply
  /// bodies); a site missing from it has an unknown payload.
  public init(
    sites: [Site], payloadBytes: [String: Int64], uplinkBudget: BitRate?, urgent: Bool = false
  ) {
    self.sites = Dictionary(sites.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    self.payloadBytes = payloadBytes
    self.hasWindows = sites.contains { !$0.maintenanceWindows.isEmpty }
    self.uplinkBytesPerSecond = uplinkBudget.flatMap(Self.bytesPerSecond)
    self.urgent = urgent
  }

  /// No budget, no windows, nothing known: sites start in the order given, as slots free up.
  public static let unconstrained = RolloutTraffic(
    sites: [], payloadBytes: [:], uplinkBudget: nil, urgent: true)

  /// The bytes `site` must pull, nil when unknown.
  public func payload(of site: String) -> Int64? { payloadBytes[site] }

  /// The share of the uplink budget `site` holds while it transfers: its own downlink, or the
  /// whole budget when its link rate is unknown (it then transfers alone); 0 when there is no
  /// budget or nothing to pull.
  public func reservedRate(of site: String) -> Double {
    guard let budget = uplinkBytesPerSecond else { return 0 }
    if let bytes = payloadBytes[site], bytes <= 0 { return 0 }
    let downlink = sites[site]?.downlink.flatMap(Self.bytesPerSecond) ?? budget
    return min(downlink, budget)
  }

  /// The rate `site` pulls at: its downlink, capped by the budget; nil when neither is known.
  public func transferRate(of site: String) -> Double? {
    let downlink = sites[site]?.downlink.flatMap(Self.bytesPerSecond)
    return [downlink, uplinkBytesPerSecond].compactMap { $0 }.min()
  }

  /// Seconds `site` needs to pull its payload at the rate it may use; infinity when the payload
  /// is unknown (so unknown sites start first, the conservative choice).
  public func expectedTransferSeconds(of site: String) -> Double {
    guard let bytes = payloadBytes[site] else { return .infinity }
    guard bytes > 0, let rate = transferRate(of: site) else { return 0 }
    return Double(bytes) / rate
  }

  /// What `site`'s windows say at `instant`: open until when, or closed until when; a site
  /// without windows is always open. Urgency is not applied here (the engine does).
  func window(of site: String, at instant: Date) -> SiteWindow {
    guard let known = sites[site], !known.maintenanceWindows.isEmpty else {
      return .open(until: .distantFuture)
    }
    if let closing = MaintenanceCalendar.closing(known, after: instant) {
      return .open(until: closing)
    }
    return .closed(until: MaintenanceCalendar.nextOpening(known, after: instant))
  }

  /// Each wave's sites in start order: longest expected transfer first, policy order on ties.
  func ordered(_ names: [String]) -> [String] {
    let seconds = names.map(expectedTransferSeconds(of:))
    return names.indices.sorted { left, right in
      seconds[left] != seconds[right] ? seconds[left] > seconds[right] : left < right
    }.map { names[$0] }
  }

  private static func bytesPerSecond(_ rate: BitRate) -> Double? {
    rate.bitsPerSecond > 0 ? Double(rate.bitsPerSecond) / 8 : nil
  }
}

/// What a site's maintenance windows say from the instant it was asked until `until`, which the
/// engine keeps so a wave's scan reads no calendar until a window opens or closes.
enum SiteWindow: Sendable, Hashable {
  case open(until: Date)
  /// `until`: nil when the windows never open.
  case closed(until: Date?)

  /// Whether the answer still holds at `instant` (which is not before it was asked).
  func holds(at instant: Date) -> Bool {
    switch self {
    case .open(let until): instant < until
    case .closed(let until): until.map { instant < $0 } ?? true
    }
  }
}

/// The windows' answers for a wave's sites by position, for one traffic.
struct WindowAnswers: Sendable {
  let traffic: RolloutTraffic.Identity
  var answers: [SiteWindow?]
}
