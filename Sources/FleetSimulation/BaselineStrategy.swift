import Foundation
import Rollout

/// The strategies Wavesync is compared with. Each honours waves and soaks (a wave starts once the
/// previous one is healthy and has soaked) and maintenance windows (a site starts only while its
/// window is open), but knows nothing of the uplink: its transfers share it TCP-fairly.
public enum Baseline: Sendable, Hashable {
  /// Every site of a wave at once.
  case allAtOnce
  /// Batches of `k` sites in site order, each batch once the previous one is healthy.
  case fixedBatches(Int)
  /// Up to the wave's cap in flight, the longest transfer (at the site's own rate) first.
  case longestTransferFirst
}

struct BaselineStrategy: RolloutStrategy {
  let mix: FleetMix
  let baseline: Baseline
  let start: Date
  private var wave = -1
  /// The current wave's sites in the order they start.
  private var queue: [Int] = []
  /// Queue positions before `head` have all started.
  private var head = 0
  private var started: [Bool]
  /// When a site whose window was closed opens next (seconds since the start).
  private var opensAt: [Double?]
  private var inFlight = 0
  private var healthyInWave = 0
  private var soakUntil: Double?
  /// The earliest window opening among the sites the last `fill` passed over.
  private var earliestOpening: Double?

  init(mix: FleetMix, baseline: Baseline, start: Date) {
    self.mix = mix
    self.baseline = baseline
    self.start = start
    started = Array(repeating: false, count: mix.sites.count)
    opensAt = Array(repeating: nil, count: mix.sites.count)
  }

  var isFinished: Bool { wave >= mix.waves.count }

  mutating func begin(at time: Double) -> [SiteCommand] {
    enterNextWave(at: time)
  }

  mutating func handle(_ happening: SiteHappening, at time: Double) -> [SiteCommand] {
    guard case .healthy = happening else { return [] }
    inFlight -= 1
    healthyInWave += 1
    guard healthyInWave == queue.count else { return fill(at: time) }
    let soak = mix.waves[wave].soakSeconds
    if soak > 0 {
      soakUntil = time + soak
      return []
    }
    return enterNextWave(at: time)
  }

  mutating func wake(at time: Double) -> [SiteCommand] {
    if let soakUntil, time >= soakUntil { return enterNextWave(at: time) }
    return fill(at: time)
  }

  func nextWakeup() -> Double? {
    if let soakUntil { return soakUntil }
    if case .fixedBatches = baseline, inFlight > 0 { return nil }
    return inFlight < slots ? earliestOpening : nil
  }

  private var slots: Int {
    switch baseline {
    case .allAtOnce: .max
    case .fixedBatches(let size): max(1, size)
    case .longestTransferFirst: mix.cap(ofWave: wave)
    }
  }

  private mutating func enterNextWave(at time: Double) -> [SiteCommand] {
    soakUntil = nil
    var commands: [SiteCommand] = []
    // Waves without sites pass at once, as in the engine.
    repeat {
      wave += 1
      guard wave < mix.waves.count else { return commands }
      queue = mix.waveSites[wave]
      if case .longestTransferFirst = baseline {
        queue.sort { mix.sites[$0].transferSeconds > mix.sites[$1].transferSeconds }
      }
      head = 0
      inFlight = 0
      healthyInWave = 0
      commands = fill(at: time)
    } while queue.isEmpty
    return commands
  }

  /// Starts sites in queue order while slots are free, passing over sites whose window is closed.
  /// Batches start only when the previous batch is all healthy.
  private mutating func fill(at time: Double) -> [SiteCommand] {
    if case .fixedBatches = baseline, inFlight > 0 { return [] }
    var commands: [SiteCommand] = []
    let date = start.addingTimeInterval(time)
    var position = head
    earliestOpening = nil
    while inFlight < slots && position < queue.count {
      let site = queue[position]
      position += 1
      if started[site] { continue }
      if !mix.sites[site].site.maintenanceWindows.isEmpty {
        if opensAt[site].map({ $0 <= time }) ?? true,
          !MaintenanceCalendar.isOpen(mix.sites[site].site, at: date)
        {
          opensAt[site] =
            MaintenanceCalendar.nextOpening(mix.sites[site].site, after: date)
            .map { $0.timeIntervalSince(start) } ?? .infinity
        }
        if let opening = opensAt[site], opening > time {
          if opening.isFinite { earliestOpening = min(earliestOpening ?? opening, opening) }
          continue
        }
      }
      started[site] = true
      opensAt[site] = nil
      inFlight += 1
      commands.append(.apply(site))
    }
    while head < queue.count && started[queue[head]] { head += 1 }
    return commands
  }
}
