public import Model

/// One simulated site: the `Site` the engine sees, and what the simulation knows about it.
public struct SimulatedSite: Sendable, Hashable {
  public var site: Site
  /// The site's downlink, in bytes per second.
  public var linkBytesPerSecond: Double
  /// The bytes the site must pull for the revision (its profile's new layers and its own data).
  public var payloadBytes: Int64
  /// Index into `FleetMix.waves`.
  public var wave: Int

  /// The transfer time at the site's own rate (`t_i = b_i / r_i`).
  public var transferSeconds: Double { Double(payloadBytes) / linkBytesPerSecond }
}

/// A share of the fleet on links of one rate.
public struct LinkClass: Sendable, Hashable {
  public var bitsPerSecond: Int64
  public var share: Double

  public init(bitsPerSecond: Int64, share: Double) {
    self.bitsPerSecond = bitsPerSecond
    self.share = share
  }
}

/// One wave of the simulated rollout: the share of the fleet it takes (the last takes the rest),
/// its cap on sites in flight (a share of the wave) and its soak.
public struct SimulatedWave: Sendable, Hashable {
  public var name: String
  public var share: Double
  public var capShare: Double
  public var soakSeconds: Double

  public init(name: String, share: Double, capShare: Double, soakSeconds: Double) {
    self.name = name
    self.share = share
    self.capShare = capShare
    self.soakSeconds = soakSeconds
  }
}

/// The fleet of a region: sites with their links, payloads, waves and (optionally) windows.
public struct FleetMix: Sendable {
  public var sites: [SimulatedSite]
  public var waves: [SimulatedWave]
  /// The sites of each wave (indices into `sites`), in site order.
  public var waveSites: [[Int]]

  public static let standardLinks = [
    LinkClass(bitsPerSecond: 2_000_000, share: 0.3),
    LinkClass(bitsPerSecond: 20_000_000, share: 0.5),
    LinkClass(bitsPerSecond: 100_000_000, share: 0.2),
  ]

  /// 1% / 5% / 15% / the rest; soaks of 30 min, 30 min, 1 h and none after the last wave.
  public static let standardWaves = [
    SimulatedWave(name: "canary", share: 0.01, capShare: 0.5, soakSeconds: 1800),
    SimulatedWave(name: "early", share: 0.05, capShare: 0.25, soakSeconds: 1800),
    SimulatedWave(name: "broad", share: 0.15, capShare: 0.2, soakSeconds: 3600),
    SimulatedWave(name: "rest", share: 1, capShare: 0.1, soakSeconds: 0),
  ]

  /// Time zones of the region's sites, for maintenance windows (a nightly window, local time).
  static let zones = [
    "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Helsinki", "Europe/London",
  ]

  /// Each site's link class and profile drawn at random (by their shares), its site data up to
  /// 8 MB; waves take consecutive runs of sites. With `windows`, each site may change only in a
  /// nightly four-hour window starting between 22:00 and 02:00 local time.
  public static func generate(
    sites count: Int, seed: UInt64, links: [LinkClass] = standardLinks,
    profiles: [StoreProfile] = ImageCatalog.standardProfiles,
    waves: [SimulatedWave] = standardWaves, windows: Bool = false
  ) -> FleetMix {
    var random = SeededGenerator(seed: seed)
    let profilePayloads = profiles.map(\.payloadBytes)
    var boundaries: [Int] = []
    var taken = 0
    for (index, wave) in waves.enumerated() {
      let size =
        index == waves.count - 1
        ? count - taken : min(count - taken, Int((Double(count) * wave.share).rounded(.up)))
      taken += size
      boundaries.append(taken)
    }
    var sites: [SimulatedSite] = []
    sites.reserveCapacity(count)
    var waveSites = Array(repeating: [Int](), count: waves.count)
    let width = max(5, String(count).count)
    for index in 0..<count {
      let link = links[pick(links.map(\.share), &random)]
      let profile = pick(profiles.map(\.share), &random)
      let siteData = Int64(random.unitInterval() * 8_000_000)
      let wave = boundaries.firstIndex { index < $0 } ?? waves.count - 1
      let number = String(index)
      let name = "site-" + String(repeating: "0", count: max(0, width - number.count)) + number
      var windowsOfSite: [MaintenanceWindow] = []
      var zone: String?
      if windows {
        zone = zones[Int(random.next() % UInt64(zones.count))]
        let start = (22 * 60 + Int(random.next() % 5) * 60) % (24 * 60)
        windowsOfSite = [
          MaintenanceWindow(
            days: MaintenanceWindow.Day.allCases, startMinute: start, durationSeconds: 4 * 3600)
        ]
      }
      let site = Site(
        name: name, labels: ["wave": waves[wave].name], timezone: zone,
        downlink: BitRate(bitsPerSecond: link.bitsPerSecond), maintenanceWindows: windowsOfSite)
      sites.append(
        SimulatedSite(
          site: site, linkBytesPerSecond: Double(link.bitsPerSecond) / 8,
          payloadBytes: profilePayloads[profile] + siteData, wave: wave))
      waveSites[wave].append(index)
    }
    return FleetMix(sites: sites, waves: waves, waveSites: waveSites)
  }

  /// The cap on sites in flight in `wave` (at least 1), as the engine resolves it.
  public func cap(ofWave wave: Int) -> Int {
    max(1, SiteCount.percent(waves[wave].capShare * 100).resolved(total: waveSites[wave].count))
  }

  /// An index drawn with probability proportional to `weights`.
  static func pick(_ weights: [Double], _ random: inout SeededGenerator) -> Int {
    var target = random.unitInterval() * weights.reduce(0, +)
    for (index, weight) in weights.enumerated() {
      target -= weight
      if target <= 0 { return index }
    }
    return weights.count - 1
  }
}
