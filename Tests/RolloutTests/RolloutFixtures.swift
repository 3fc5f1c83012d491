import Foundation
import Model
import Rollout

// Waves, policies, sites and instants shared by the engine and driver tests.

/// Seconds after a fixed instant.
func t(_ seconds: Double) -> Date { Date(timeIntervalSince1970: 1_750_000_000 + seconds) }

/// A wave that selects the sites labelled `wave=<name>`.
func wave(
  _ name: String, max: SiteCount = .count(1), threshold: SiteCount = .count(1), soak: Double = 0,
  timeout: Double = 600, gate: Bool = false
) -> RolloutPolicy.Wave {
  RolloutPolicy.Wave(
    name: name, selector: try! LabelSelector(parsing: "wave=\(name)"), maxConcurrent: max,
    failureThreshold: threshold, soakSeconds: soak, healthTimeoutSeconds: timeout,
    manualGate: gate)
}

func policy(
  _ waves: RolloutPolicy.Wave..., unreachable: RolloutPolicy.UnreachableSites = .countAsFailed
) -> RolloutPolicy {
  RolloutPolicy(uplinkBudget: nil, unreachableSites: unreachable, waves: waves)
}

/// Sites `prefix-1` … `prefix-count` in wave `wave`.
func sites(_ wave: String, _ count: Int, prefix: String? = nil) -> [Site] {
  (1...max(count, 1)).prefix(count).map {
    Site(name: "\(prefix ?? wave)-\($0)", labels: ["wave": wave])
  }
}

/// The sites the actions apply, in order.
func applied(_ actions: [RolloutAction]) -> [String] {
  actions.compactMap { if case .apply(let site, _) = $0 { site } else { nil } }
}

/// The sites the actions roll back, in order.
func rolledBackSites(_ actions: [RolloutAction]) -> [String] {
  actions.compactMap { if case .rollback(let site, _) = $0 { site } else { nil } }
}
