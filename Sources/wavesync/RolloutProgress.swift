import Foundation
import Rollout

/// Human lines for what changed between two states of a rollout: the progress a terminal shows.
enum RolloutProgress {
  /// One line per site whose phase changed, then one for the rollout's phase if it changed.
  static func lines(from old: RolloutState, to new: RolloutState) -> [String] {
    var lines: [String] = []
    for (waveIndex, wave) in new.waves.enumerated() {
      for site in wave.sites {
        let before = old.waves[safe: waveIndex]?.sites.first { $0.name == site.name }?.phase
        guard before != site.phase, let text = describe(site.phase, revision: new) else {
          continue
        }
        lines.append("  \(wave.name)/\(site.name): \(text)")
      }
    }
    if old.paused != new.paused {
      lines.append(
        new.paused ? "paused: no new site changes until `wavesync resume`" : "resumed")
    }
    guard old.phase != new.phase else { return lines }
    // A wave that begins is announced before its sites; an ending after them.
    switch new.phase {
    case .running, .waitingForPromotion, .rollingBack:
      lines.insert(describe(new.phase, in: new), at: 0)
    default: lines.append(describe(new.phase, in: new))
    }
    return lines
  }

  /// The opening line of a rollout: its revision, waves and their sizes.
  static func opening(_ state: RolloutState, trigger: RolloutTrigger) -> [String] {
    let verb =
      switch trigger {
      case .newCommit: "Rolling out"
      case .rollback: "Rolling back to"
      case .catchUp: "Catching up to"
      }
    var lines = [
      "\(verb) \(shortRevision(state.revision)) (last good: \(state.lastGoodRevision.map(shortRevision) ?? "none")), "
        + count(state.waves.reduce(0) { $0 + $1.sites.count }, "site")
        + " in \(count(state.waves.count, "wave")): "
        + state.waves.map { "\($0.name) (\($0.sites.count))" }.joined(separator: ", ")
    ]
    if !state.unassignedSites.isEmpty {
      lines.append(
        "warning: no wave selects \(state.unassignedSites.joined(separator: ", ")); "
          + "they are left as they are")
    }
    if state.paused { lines.append("paused: no new site changes until `wavesync resume`") }
    if state.currentWave != nil { lines.append(describe(state.phase, in: state)) }
    for (wave, site) in state.waves.flatMap({ wave in wave.sites.map { (wave.name, $0) } }) {
      if site.phase != .pending, let text = describe(site.phase, revision: state) {
        lines.append("  \(wave)/\(site.name): \(text)")
      }
    }
    return lines
  }

  /// `1 site`, `3 sites`.
  static func count(_ number: Int, _ noun: String) -> String {
    number == 1 ? "1 \(noun)" : "\(number) \(noun)s"
  }

  /// The local time of day, as progress lines are stamped.
  static func time(_ date: Date) -> String {
    date.formatted(
      Date.ISO8601FormatStyle(timeZone: .current).time(includingFractionalSeconds: false))
  }

  /// A site's phase in a word or two (and the reason of a failure or skip), for tables.
  static func label(_ phase: SitePhase) -> String {
    switch phase {
    case .pending: "pending"
    case .applying: "applying"
    case .verifying: "verifying"
    case .healthy: "healthy"
    case .failed(let reason): "failed: \(reason)"
    case .unreachable(let attempts, _): "unreachable (\(attempts) attempts)"
    case .skipped(let reason): "skipped: \(reason)"
    case .rollingBack: "rolling back"
    case .rolledBack: "rolled back"
    }
  }

  static func describe(_ phase: SitePhase, revision state: RolloutState) -> String? {
    switch phase {
    case .pending: nil
    case .applying: "applying \(shortRevision(state.revision))"
    case .verifying: "applied, waiting for health"
    case .healthy: "healthy"
    case .failed(let reason): "FAILED: \(reason)"
    case .unreachable(let attempts, _): "unreachable (attempt \(attempts)), retrying"
    case .skipped(let reason): "skipped: \(reason)"
    case .rollingBack:
      "rolling back to \(state.lastGoodRevision.map(shortRevision) ?? "the last good revision")"
    case .rolledBack: "rolled back"
    }
  }

  static func describe(_ phase: RolloutState.Phase, in state: RolloutState)
    -> String
  {
    switch phase {
    case .running(let wave):
      return
        "wave \(state.waves[wave].name): started (\(count(state.waves[wave].sites.count, "site")))"
    case .waitingForPromotion(let wave):
      let name = state.waves[wave].name
      return "wave \(name): waiting for `wavesync promote --wave \(name)`"
    case .soaking(let wave, let until):
      return
        "wave \(state.waves[wave].name): healthy; soaking until \(time(until))"
    case .rollingBack(let wave):
      return
        "wave \(state.waves[wave].name) FAILED: \(state.failureReason ?? "failure threshold reached"); "
        + "rolling back to \(state.lastGoodRevision.map(shortRevision) ?? "?")"
    case .succeeded:
      return "rollout of \(shortRevision(state.revision)) succeeded"
    case .rolledBack(let reason):
      return "rollout of \(shortRevision(state.revision)) rolled back: \(reason)"
    case .superseded(let newer):
      return "rollout of \(shortRevision(state.revision)) superseded by \(shortRevision(newer))"
    }
  }
}

extension Array {
  fileprivate subscript(safe index: Int) -> Element? {
    indices.contains(index) ? self[index] : nil
  }
}
