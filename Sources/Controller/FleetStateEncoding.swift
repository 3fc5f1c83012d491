import Foundation
import Rollout

/// Splits a `RolloutRecord` into the `Fleet`'s status (bounded) and one `SiteRecord` per site,
/// and joins them back: `join(split(record))` is `record`.
enum FleetStateEncoding {
  /// Writes the record's bounded part into `fleet` and returns the site records that differ
  /// from `known` (the sites' records stored so far) and the sites that left the fleet. Sites
  /// the record no longer names keep their records (with `behind` updated), unless a full
  /// rollout (which names every site in scope) leaves them out: those are dropped.
  ///
  /// With `previous`, the record last stored, and the same rollout in both, only sites whose
  /// engine state changed are looked at: an event costs what it changed, not the fleet's size.
  static func split(
    _ record: RolloutRecord, previous: RolloutRecord?, sequence: Int,
    into fleet: inout FleetStatus, known: [String: SiteRecord]
  ) -> (changed: [String: SiteRecord], dropped: Set<String>) {
    fleet.stateSequence = sequence
    fleet.lastGoodRevision = record.lastGoodRevision
    fleet.badRevisions = record.badRevisions
    fleet.queuedRevision = record.queuedRevision
    fleet.history = record.history
    fleet.rolloutNumber = record.rolloutNumber
    fleet.rollout = nil
    guard let state = record.current, let id = record.currentRolloutID else {
      return splitAll(record, sequence: sequence, into: &fleet, known: known)
    }
    fleet.rollout = rolloutStatus(state, id: id, trigger: record.currentTrigger)
    guard let previous, let before = previous.current, previous.currentRolloutID == id,
      previous.behindSites == record.behindSites,
      before.unassignedSites == state.unassignedSites, sameShape(before.waves, state.waves)
    else {
      return splitAll(record, sequence: sequence, into: &fleet, known: known)
    }
    let behind = Set(record.behindSites)
    var changed: [String: SiteRecord] = [:]
    for waveIndex in state.waves.indices {
      let (earlier, wave) = (before.waves[waveIndex].sites, state.waves[waveIndex])
      for position in wave.sites.indices where earlier[position] != wave.sites[position] {
        let site = wave.sites[position]
        let stored = siteRecord(
          site, of: state, id: id, wave: wave.name, waveIndex: waveIndex, position: position,
          sequence: sequence, behind: behind.contains(site.name), before: known[site.name])
        if let old = known[site.name], old.sameState(as: stored) { continue }
        changed[site.name] = stored
        if let old = known[site.name] { fleet.sites.remove(old) }
        fleet.sites.add(stored)
      }
    }
    return (changed, [])
  }

  /// The same waves with as many sites each.
  private static func sameShape(_ a: [WaveState], _ b: [WaveState]) -> Bool {
    guard a.count == b.count else { return false }
    for index in a.indices where a[index].sites.count != b[index].sites.count { return false }
    return true
  }

  /// `split` looking at every site.
  private static func splitAll(
    _ record: RolloutRecord, sequence: Int, into fleet: inout FleetStatus,
    known: [String: SiteRecord]
  ) -> (changed: [String: SiteRecord], dropped: Set<String>) {
    let behind = Set(record.behindSites)
    var sites: [String: SiteRecord] = [:]
    if let state = record.current, let id = record.currentRolloutID {
      for (waveIndex, wave) in state.waves.enumerated() {
        for (position, site) in wave.sites.enumerated() {
          sites[site.name] = siteRecord(
            site, of: state, id: id, wave: wave.name, waveIndex: waveIndex, position: position,
            sequence: sequence, behind: behind.contains(site.name), before: known[site.name])
        }
      }
      for name in state.unassignedSites {
        sites[name] = SiteRecord(
          sequence: sequence, rollout: id, unassigned: true, phase: "Unassigned",
          appliedRevision: known[name]?.appliedRevision, behind: behind.contains(name))
      }
    }
    // A full rollout names every site in scope: the others left the fleet.
    let full = record.current != nil && record.currentTrigger != .catchUp
    var dropped: Set<String> = []
    for (name, before) in known where sites[name] == nil {
      if full && !behind.contains(name) {
        dropped.insert(name)
      } else {
        var kept = before
        kept.behind = behind.contains(name)
        kept.sequence = sequence
        sites[name] = kept
      }
    }
    for name in behind where sites[name] == nil {
      sites[name] = SiteRecord(sequence: sequence, phase: "Pending", behind: true)
    }
    fleet.sites = FleetSiteCounts()
    for site in sites.values { fleet.sites.add(site) }
    let changed = sites.filter { name, site in
      guard let old = known[name] else { return true }
      return !old.sameState(as: site)
    }
    return (changed, dropped)
  }

  /// The record stored as `fleet` and `sites` (each site's committed state).
  static func join(_ fleet: FleetStatus, sites: [String: SiteRecord]) -> RolloutRecord {
    var record = RolloutRecord(
      lastGoodRevision: fleet.lastGoodRevision, badRevisions: fleet.badRevisions,
      behindSites: sites.filter(\.value.behind).map(\.key).sorted(),
      queuedRevision: fleet.queuedRevision, history: fleet.history,
      rolloutNumber: fleet.rolloutNumber)
    guard let rollout = fleet.rollout else { return record }
    let engine = rollout.engine
    var waves = engine.waveNames.map { WaveState(name: $0, sites: []) }
    var placed: [[(Int, SiteState)]] = Array(repeating: [], count: waves.count)
    var unassigned: [String] = []
    for (name, site) in sites where site.rollout == rollout.id {
      if site.unassigned == true {
        unassigned.append(name)
      } else if let index = site.waveIndex, waves.indices.contains(index) {
        placed[index].append((site.position ?? 0, site.engine ?? SiteState(name: name)))
      }
    }
    for index in waves.indices {
      waves[index].sites = placed[index].sorted { $0.0 < $1.0 }.map(\.1)
    }
    record.current = RolloutState(
      revision: engine.revision, lastGoodRevision: engine.lastGoodRevision, waves: waves,
      phase: engine.phase, paused: engine.paused, unassignedSites: unassigned.sorted(),
      startedAt: engine.startedAt, clock: engine.clock, failureReason: engine.failureReason,
      urgentSince: engine.urgentSince)
    record.currentTrigger = rollout.trigger
    return record
  }

  private static func rolloutStatus(
    _ state: RolloutState, id: String, trigger: RolloutTrigger?
  ) -> FleetRolloutStatus {
    let (phase, reason, soakUntil) = phaseText(state.phase)
    return FleetRolloutStatus(
      id: id, revision: state.revision, trigger: trigger, phase: phase,
      wave: state.currentWave.map { state.waves[$0].name }, paused: state.paused,
      startedAt: state.startedAt, reason: reason ?? state.failureReason, soakUntil: soakUntil,
      waves: state.waves.map(waveCounts), unassignedSites: state.unassignedSites.count,
      engine: EngineRollout(
        revision: state.revision, lastGoodRevision: state.lastGoodRevision,
        waveNames: state.waves.map(\.name), phase: state.phase, paused: state.paused,
        startedAt: state.startedAt, clock: state.clock, failureReason: state.failureReason,
        urgentSince: state.urgentSince))
  }

  static func phaseText(_ phase: RolloutState.Phase) -> (String, reason: String?, soakUntil: Date?)
  {
    switch phase {
    case .running: ("Running", nil, nil)
    case .waitingForPromotion: ("WaitingForPromotion", nil, nil)
    case .soaking(_, let until): ("Soaking", nil, until)
    case .rollingBack: ("RollingBack", nil, nil)
    case .succeeded: ("Succeeded", nil, nil)
    case .rolledBack(let reason): ("RolledBack", reason, nil)
    case .superseded(let newer): ("Superseded", "superseded by \(newer)", nil)
    }
  }

  private static func waveCounts(_ wave: WaveState) -> FleetWaveCounts {
    var counts = FleetWaveCounts(
      name: wave.name, total: wave.sites.count, pending: 0, inProgress: 0, healthy: 0, failed: 0,
      skipped: 0, rolledBack: 0)
    for site in wave.sites {
      switch site.phase {
      case .pending: counts.pending += 1
      case .applying, .verifying, .unreachable, .rollingBack: counts.inProgress += 1
      case .healthy: counts.healthy += 1
      case .failed: counts.failed += 1
      case .skipped: counts.skipped += 1
      case .rolledBack: counts.rolledBack += 1
      }
    }
    return counts
  }

  private static func siteRecord(
    _ site: SiteState, of state: RolloutState, id: String, wave: String, waveIndex: Int,
    position: Int, sequence: Int, behind: Bool, before: SiteRecord?
  ) -> SiteRecord {
    // What the site runs, as far as Wavesync knows: kept until an apply or rollback lands.
    var applied = before?.appliedRevision
    var health: SiteHealthText? = nil
    var lastError: String? = nil
    var unreachableSince: Date? = nil
    var nextWindow: Date? = nil
    let phase: String
    switch site.phase {
    case .pending:
      phase = "Pending"
      nextWindow = site.windowOpensAt
    case .applying: phase = "Applying"
    case .verifying:
      phase = "Verifying"
      applied = state.revision
      health =
        site.lastHealth.map { SiteHealthText(status: "InProgress", reported: bounded($0)) }
        ?? SiteHealthText(status: "InProgress", reason: "Applied")
    case .healthy:
      phase = "Healthy"
      applied = state.revision
      health = SiteHealthText(status: "Current", reason: "Healthy")
    case .failed(let reason):
      phase = "Failed"
      lastError = bounded(reason)
      health = SiteHealthText(status: "Failed", reason: "Failed", message: bounded(reason))
    case .unreachable(_, let since):
      phase = "Unreachable"
      unreachableSince = since
      health = SiteHealthText(status: "Unknown", reason: "Unreachable", message: "unreachable")
    case .skipped(let reason):
      phase = "Skipped"
      lastError = bounded(reason)
    case .rollingBack: phase = "RollingBack"
    case .rolledBack:
      phase = "RolledBack"
      applied = state.lastGoodRevision ?? applied
    }
    var engine = site
    engine.lastHealth = site.lastHealth.map(bounded)
    return SiteRecord(
      sequence: sequence, rollout: id, wave: wave, waveIndex: waveIndex, position: position,
      phase: phase, desiredRevision: state.revision, appliedRevision: applied, behind: behind,
      health: health, lastError: lastError, unreachableSince: unreachableSince,
      nextWindow: nextWindow, engine: engine)
  }

  /// Health messages and errors are kept short, so no `FleetSite` grows past a few KiB.
  static func bounded(_ text: String) -> String {
    let limit = 1024
    guard text.utf8.count > limit else { return text }
    return String(decoding: Array(text.utf8.prefix(limit - 3)), as: UTF8.self) + "..."
  }
}

extension FleetSiteCounts {
  mutating func add(_ site: SiteRecord) { count(site, by: 1) }
  mutating func remove(_ site: SiteRecord) { count(site, by: -1) }

  private mutating func count(_ site: SiteRecord, by step: Int) {
    total += step
    switch site.phase {
    case "Healthy": healthy += step
    case "Failed": failing += step
    case "Unreachable": unreachable += step
    default: break
    }
    if site.behind { behind += step }
  }
}
