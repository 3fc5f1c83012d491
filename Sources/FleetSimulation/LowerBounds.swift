import Foundation
import Rollout

/// A lower bound on a rollout's makespan, and which one it is.
public struct LowerBound: Sendable, Hashable {
  public enum Kind: String, Sendable, Hashable {
    /// Waves run one after another; each takes at least its uplink, slowest-site and cap terms.
    case waves
    /// As `waves`, with each site starting no earlier than its window's next opening.
    case windowAware
    /// Sites pull their payload ahead of their wave; only the uplink and the soaks remain.
    case prestaged
  }

  public var kind: Kind
  public var seconds: Double
}

/// Lower bounds on the makespan of any rollout of a `FleetMix` over an uplink of `U` bytes/s.
///
/// Every site `i` of wave `k` needs at least `d_i = a_i + t_i + A` from its apply to healthy:
/// its apply `a_i`, its transfer `t_i = b_i / r_i` at its own rate (it can never go faster) and
/// the activation `A`. A wave's last byte leaves the uplink no earlier than `B_k / U` after the
/// wave starts and its site then activates; a site cannot finish before `d_i`; and with at most
/// `c_k` sites in flight, the wave's sites' busy times `Σ d_i` take at least `Σ d_i / c_k`. So
/// wave `k` lasts at least `max(B_k / U + A, max d_i, Σ d_i / c_k)`, then soaks `S_k`.
/// (This is the bound with the fixed per-site overheads added, which only tightens it.)
/// The cap term holds for strategies that keep to the caps (Wavesync, longest-transfer-first);
/// all-at-once and fixed batches ignore them, and `capped: false` leaves the term out for them.
public enum LowerBounds {
  /// `Σ_k [max(B_k/U + A, max_{i∈k} d_i, Σ_{i∈k} d_i / c_k) + S_k]`.
  static func waves(_ mix: FleetMix, _ physics: SimulatedFleet.Physics, capped: Bool = true)
    -> Double
  {
    var total = 0.0
    for wave in mix.waves.indices where !mix.waveSites[wave].isEmpty {
      let terms = waveTerms(mix, physics, wave: wave)
      total +=
        max(terms.uplink, terms.slowest, capped ? terms.capped : 0) + mix.waves[wave].soakSeconds
    }
    return total
  }

  /// The window-aware bound: wave `k` starts at `W_k` (the previous wave's bound end plus its
  /// soak, `W_1 = 0`) and ends no earlier than `E_k = max(W_k + B_k/U + A, W_k + Σ d_i / c_k,
  /// max_i (open_i(W_k) + d_i))`, where `open_i(W)` is the first instant at or after `W` at which
  /// site `i`'s window is open. It is a bound because a real wave starts no earlier than `W_k`
  /// (by induction) and the next opening is never earlier for a later start.
  static func windowAware(
    _ mix: FleetMix, _ physics: SimulatedFleet.Physics, start: Date, capped: Bool = true
  ) -> Double {
    var waveStart = 0.0
    for wave in mix.waves.indices where !mix.waveSites[wave].isEmpty {
      let terms = waveTerms(mix, physics, wave: wave)
      let date = start.addingTimeInterval(waveStart)
      var latest = waveStart + terms.slowest
      for site in mix.waveSites[wave] {
        let simulated = mix.sites[site]
        guard let opening = MaintenanceCalendar.nextOpening(simulated.site, after: date) else {
          return .infinity
        }
        latest = max(latest, opening.timeIntervalSince(start) + busySeconds(simulated, physics))
      }
      let end = max(waveStart + terms.uplink, waveStart + (capped ? terms.capped : 0), latest)
      waveStart = end + mix.waves[wave].soakSeconds
    }
    return waveStart
  }

  /// `max(Σ b / U, Σ_{k<K} S_k + a + A)`: with every payload pulled ahead, the uplink must still
  /// carry all of it, and the waves still soak one after the other before the last activates.
  static func prestaged(_ mix: FleetMix, _ physics: SimulatedFleet.Physics) -> Double {
    let waves = mix.waves.indices.filter { !mix.waveSites[$0].isEmpty }
    let bytes = mix.sites.reduce(0.0) { $0 + Double($1.payloadBytes) }
    let soaks = waves.dropLast().reduce(0.0) { $0 + mix.waves[$1].soakSeconds }
    let lastActivation =
      waves.last.map { wave in
        mix.waveSites[wave].map {
          physics.applySeconds(mix.sites[$0]) + physics.activationSeconds
        }.min() ?? 0
      } ?? 0
    return max(bytes / physics.uplinkBytesPerSecond, soaks + lastActivation)
  }

  static func busySeconds(_ site: SimulatedSite, _ physics: SimulatedFleet.Physics) -> Double {
    physics.applySeconds(site) + site.transferSeconds + physics.activationSeconds
  }

  private static func waveTerms(_ mix: FleetMix, _ physics: SimulatedFleet.Physics, wave: Int)
    -> (uplink: Double, slowest: Double, capped: Double)
  {
    let sites = mix.waveSites[wave].map { mix.sites[$0] }
    let bytes = sites.reduce(0.0) { $0 + Double($1.payloadBytes) }
    let busy = sites.map { busySeconds($0, physics) }
    return (
      bytes / physics.uplinkBytesPerSecond + physics.activationSeconds, busy.max() ?? 0,
      busy.reduce(0, +) / Double(mix.cap(ofWave: wave))
    )
  }
}
