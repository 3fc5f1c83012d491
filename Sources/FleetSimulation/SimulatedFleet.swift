import HeapModule

/// The physics of a simulated rollout, shared by every strategy: a site's apply takes
/// `applySeconds`, then its transfer runs over the shared uplink (restarting from zero when its
/// link drops), then it activates for `activationSeconds` and reports healthy.
///
/// A discrete-event simulation: a heap of timed events (applies and activations ending, links
/// dropping) beside the uplink model's next finishing transfer; each step jumps to the earliest.
struct SimulatedFleet {
  struct Physics: Sendable {
    var uplinkBytesPerSecond: Double
    var dropsPerHour: Double
    var activationSeconds: Double
    /// The fixed part of an apply (a round trip and the API server's work).
    var applyLatencySeconds: Double
    /// The manifests' bytes, sent at the site's link rate (not counted against the uplink).
    var manifestBytes: Double
    var seed: UInt64

    func applySeconds(_ site: SimulatedSite) -> Double {
      applyLatencySeconds + manifestBytes / site.linkBytesPerSecond
    }
  }

  struct Outcome: Sendable {
    var makespanSeconds: Double
    var bytesSent: Double
    var overBudgetSeconds: Double
    var peakDemandBytesPerSecond: Double
    var peakSentBytesPerSecond: Double
    var drops: Int
    var healthySites: Int
    var events: Int
    var finished: Bool
  }

  private enum Kind: Hashable {
    case applied
    case healthy
    case drop(attempt: Int)
  }

  private struct Event: Comparable {
    var time: Double
    var sequence: Int
    var site: Int
    var kind: Kind
    static func < (a: Event, b: Event) -> Bool { (a.time, a.sequence) < (b.time, b.sequence) }
  }

  let mix: FleetMix
  let physics: Physics

  /// Runs `strategy` until it finishes, or until nothing more can happen.
  func run(_ strategy: inout some RolloutStrategy) -> Outcome {
    var uplink = SharedUplink(
      uplinkBytesPerSecond: physics.uplinkBytesPerSecond, sites: mix.sites.count)
    var drops = LinkDrops(
      sites: mix.sites.count, dropsPerHour: physics.dropsPerHour, seed: physics.seed)
    var events = Heap<Event>()
    var sequence = 0
    var attempts = Array(repeating: 0, count: mix.sites.count)
    var applied = Array(repeating: false, count: mix.sites.count)
    var pulled = Array(repeating: false, count: mix.sites.count)
    var bytesSent = 0.0
    var dropCount = 0
    var healthy = 0
    var steps = 0
    var time = 0.0

    func schedule(_ site: Int, _ kind: Kind, at when: Double) {
      sequence += 1
      events.insert(Event(time: when, sequence: sequence, site: site, kind: kind))
    }
    func startTransfer(_ site: Int) {
      attempts[site] += 1
      let simulated = mix.sites[site]
      uplink.start(
        site, bytes: Double(simulated.payloadBytes), capacity: simulated.linkBytesPerSecond)
      if let drop = drops.nextDrop(of: site, after: time) {
        schedule(site, .drop(attempt: attempts[site]), at: drop)
      }
    }
    func perform(_ commands: [SiteCommand]) {
      for command in commands {
        switch command {
        case .apply(let site):
          schedule(site, .applied, at: time + physics.applySeconds(mix.sites[site]))
        case .prestage(let site):
          if !pulled[site] && !uplink.isRunning(site) { startTransfer(site) }
        }
      }
    }

    perform(strategy.begin(at: time))
    // Each site causes a bounded number of steps (apply, transfer, activation, its drops, and
    // the strategy's wakeups); the limit only stops a strategy that would never finish.
    let limit = 100 * mix.sites.count + 1_000_000
    while !strategy.isFinished && steps < limit {
      steps += 1
      let finishing = uplink.nextFinish()
      let event = events.min
      let wakeup = strategy.nextWakeup().map { max($0, time) }
      let next = [finishing?.time, event?.time, wakeup].compactMap { $0 }.min()
      guard let next else { break }
      time = next
      uplink.advance(to: time)
      if let finishing, finishing.time == next {
        uplink.finish(finishing.site)
        bytesSent += Double(mix.sites[finishing.site].payloadBytes)
        pulled[finishing.site] = true
        if applied[finishing.site] {
          schedule(finishing.site, .healthy, at: time + physics.activationSeconds)
          perform(strategy.handle(.transferred(finishing.site), at: time))
        } else {
          perform(strategy.handle(.prestaged(finishing.site), at: time))
        }
      } else if let event, event.time == next {
        events.removeMin()
        switch event.kind {
        case .applied:
          applied[event.site] = true
          // A pre-staged payload is there already; one still being pulled goes on.
          if !pulled[event.site] && !uplink.isRunning(event.site) { startTransfer(event.site) }
          perform(strategy.handle(.applied(event.site), at: time))
          if pulled[event.site] {
            schedule(event.site, .healthy, at: time + physics.activationSeconds)
            perform(strategy.handle(.transferred(event.site), at: time))
          }
        case .healthy:
          healthy += 1
          perform(strategy.handle(.healthy(event.site), at: time))
        case .drop(let attempt):
          // A drop of a link with no transfer of this attempt running changes nothing.
          guard attempt == attempts[event.site], uplink.isRunning(event.site) else { continue }
          dropCount += 1
          bytesSent += uplink.drop(event.site)
          startTransfer(event.site)
        }
      } else {
        perform(strategy.wake(at: time))
      }
    }
    return Outcome(
      makespanSeconds: time, bytesSent: bytesSent, overBudgetSeconds: uplink.overBudgetSeconds,
      peakDemandBytesPerSecond: uplink.peakDemand, peakSentBytesPerSecond: uplink.peakSent,
      drops: dropCount, healthySites: healthy, events: steps, finished: strategy.isFinished)
  }
}
