public import Foundation
public import Model

/// When each site of a rollout is expected to start and finish, found by running the real
/// `RolloutEngine` against simulated transfers: `wavesync plan`'s schedule.
///
/// The model: a site's payload moves at the share the engine reserves for it (its downlink,
/// capped by the uplink budget; instantly without either), starting when the engine applies it;
/// it is healthy `activationSeconds` after its payload arrived. Pre-staged images count as
/// arrived. Nothing fails, every manual gate is promoted at once, windows are honoured (unless
/// urgent) and soaks are waited out. Health timeouts are not enforced: a transfer longer than its
/// wave's timeout is flagged instead, since the real rollout would fail that site.
public struct RolloutProjection: Sendable {
  public struct SiteTimes: Sendable, Hashable {
    public var site: String
    public var wave: String
    /// The payload, nil when unknown (projected as instant).
    public var bytes: Int64?
    /// The rate the site's transfer runs at, nil when instant.
    public var bytesPerSecond: Double?
    public var start: Date?
    public var end: Date?
    /// The transfer alone outlasts the wave's health timeout: the site would fail.
    public var exceedsHealthTimeout: Bool
  }

  public struct WaveTimes: Sendable, Hashable {
    public var name: String
    public var start: Date?
    /// When the wave's last site is healthy (its soak follows).
    public var end: Date?
    /// No schedule can finish the wave's transfers and soak faster (see `lowerBound`).
    public var lowerBoundSeconds: Double
    public var soakSeconds: Double
  }

  public var sites: [SiteTimes]
  public var waves: [WaveTimes]
  /// When the last wave ends, soak included; nil when some site never starts.
  public var end: Date?

  /// Seconds of a wave's lower bound: max(bytes ÷ uplink, the longest transfer, the sum of
  /// transfers ÷ the wave's cap) + soak, each transfer at the site's own rate. Windows are not
  /// part of it.
  public static func lowerBound(
    transferSeconds: [Double], bytes: Int64, uplinkBytesPerSecond: Double?, cap: Int,
    soakSeconds: Double
  ) -> Double {
    guard !transferSeconds.isEmpty else { return 0 }
    let shared = uplinkBytesPerSecond.map { Double(bytes) / $0 } ?? 0
    let longest = transferSeconds.max() ?? 0
    let capped = transferSeconds.reduce(0, +) / Double(max(cap, 1))
    return max(shared, longest, capped) + soakSeconds
  }

  /// Projects a rollout of `sites` under `policy` starting at `start`.
  public static func project(
    policy: RolloutPolicy, sites: [Site], payloadBytes: [String: Int64], urgent: Bool = false,
    start: Date, activationSeconds: Double = 0
  ) -> RolloutProjection {
    var unbounded = policy
    for index in unbounded.waves.indices { unbounded.waves[index].healthTimeoutSeconds = .infinity }
    let traffic = RolloutTraffic(
      sites: sites, payloadBytes: payloadBytes, uplinkBudget: policy.uplinkBudget, urgent: urgent)
    let engine = RolloutEngine(policy: unbounded, traffic: traffic)
    var (state, actions) = engine.start(
      revision: "projected", lastGoodRevision: nil, sites: sites, at: start)
    let waveOf = Dictionary(
      state.waves.flatMap { wave in wave.sites.map { ($0.name, wave.name) } },
      uniquingKeysWith: { first, _ in first })

    func transferSeconds(_ site: String) -> Double {
      let rate = traffic.transferRate(of: site)
      guard let bytes = payloadBytes[site], bytes > 0, let rate else { return 0 }
      return Double(bytes) / rate
    }
    var pending: [(at: Date, event: RolloutEvent)] = []
    var starts: [String: Date] = [:]
    var ends: [String: Date] = [:]
    var pulledAt: [String: Date] = [:]
    // Each site takes a handful of events; the bound only stops a projection gone wrong.
    var eventsLeft = 64 * (sites.count + 16)
    while !state.phase.isFinished && eventsLeft > 0 {
      eventsLeft -= 1
      let now = state.clock
      for action in actions {
        switch action {
        case .apply(let site, _):
          starts[site] = now
          // Pre-staged images are there (or arriving): only the manifests move now.
          let arrives =
            pulledAt[site].map { max(now, $0) } ?? now.addingTimeInterval(transferSeconds(site))
          pending.append((now, .applied(site: site, at: now)))
          pending.append((arrives, .transferred(site: site, at: arrives)))
          let healthy = arrives.addingTimeInterval(activationSeconds)
          pending.append((healthy, .health(site: site, status: .current, at: healthy)))
        case .prestage(let site, _):
          let arrives = now.addingTimeInterval(transferSeconds(site))
          pulledAt[site] = arrives
          pending.append((arrives, .prestaged(site: site, at: arrives)))
        case .checkHealth, .rollback:
          break
        }
      }
      actions = []
      if case .waitingForPromotion(let wave) = state.phase {
        actions = engine.reduce(&state, .promote(wave: state.waves[wave].name))
        continue
      }
      // Events in time order; ties keep the order they were made in.
      pending.sort { $0.at < $1.at }
      let wakeup = engine.nextWakeup(state)
      if let next = pending.first, wakeup.map({ next.at <= $0 }) ?? true {
        pending.removeFirst()
        if case .health(let site, _, let at, _) = next.event { ends[site] = at }
        actions = engine.reduce(&state, next.event)
      } else if let wakeup {
        actions = engine.reduce(&state, .tick(max(wakeup, state.clock)))
      } else {
        break
      }
    }

    let siteTimes = state.waves.flatMap { wave in
      wave.sites.map { site in
        let seconds = transferSeconds(site.name)
        let timeout = policy.waves.first { $0.name == wave.name }?.healthTimeoutSeconds ?? .infinity
        return SiteTimes(
          site: site.name, wave: wave.name, bytes: payloadBytes[site.name],
          bytesPerSecond: seconds > 0 ? traffic.transferRate(of: site.name) : nil,
          start: starts[site.name], end: ends[site.name], exceedsHealthTimeout: seconds > timeout)
      }
    }
    var waveTimes: [WaveTimes] = []
    for (index, wave) in state.waves.enumerated() {
      let times = siteTimes.filter { waveOf[$0.site] == wave.name }
      let policyWave = policy.waves[index]
      let bytes = times.compactMap(\.bytes).reduce(0, +)
      waveTimes.append(
        WaveTimes(
          name: wave.name, start: times.compactMap(\.start).min(),
          end: times.contains { $0.end == nil } ? nil : times.compactMap(\.end).max(),
          lowerBoundSeconds: lowerBound(
            transferSeconds: times.map { transferSeconds($0.site) }, bytes: bytes,
            uplinkBytesPerSecond: traffic.uplinkBytesPerSecond,
            cap: max(1, policyWave.maxConcurrent.resolved(total: times.count)),
            soakSeconds: times.isEmpty ? 0 : policyWave.soakSeconds),
          soakSeconds: times.isEmpty ? 0 : policyWave.soakSeconds))
    }
    let finished = state.phase == .succeeded
    return RolloutProjection(
      sites: siteTimes, waves: waveTimes,
      end: finished
        ? waveTimes.compactMap(\.end).max().map { last in
          last.addingTimeInterval(waveTimes.last { $0.end != nil }?.soakSeconds ?? 0)
        } : nil)
  }
}
