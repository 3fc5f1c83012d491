/// What the engine asks of a wave on every event (how many sites failed, settled or are in
/// flight, which shares of the uplink are held, where the first pending site is), kept up to date
/// as sites change rather than counted again: an event costs what it changed, not the wave's
/// size, which matters with waves of thousands of sites.
///
/// A tally is derived from the wave's sites and the traffic its shares were computed with; the
/// engine builds it again when either was replaced.
struct WaveTally: Sendable {
  /// The traffic whose shares these are.
  let traffic: RolloutTraffic.Identity
  /// Each site's share of the uplink budget while it transfers (`RolloutTraffic.reservedRate`).
  let shares: [Double]
  /// The smallest share at each position or after it: a site from there on needs at least this.
  let smallestShareFrom: [Double]
  /// The largest share at each position or after it.
  let largestShareFrom: [Double]
  var failed = 0
  var settled = 0
  /// Positions of the sites in flight (applying, verifying, unreachable).
  var inFlight: Set<Int> = []
  /// Shares held: sites in flight whose payload is still arriving, pending sites pre-staging.
  var reserved = 0.0
  /// Pending sites pre-staging, and the shares they hold.
  var prestaging = 0
  var prestagingShare = 0.0
  /// Pending sites pre-staging or pre-staged: they take no new share when they start.
  var startingWithoutShare = 0
  /// No site before this position is pending (sites never go back to pending).
  var firstPending = 0
  /// No pending site before this position is yet to be pre-staged.
  var firstUnprestaged = 0

  /// Each site's payload in bytes (0 when unknown) and expected transfer seconds
  /// (`RolloutTraffic.expectedTransferSeconds`), for the closing-window check.
  let payloads: [Double]
  let transferSeconds: [Double]

  init(
    sites: [SiteState], shares: [Double], payloads: [Double], transferSeconds: [Double],
    traffic: RolloutTraffic.Identity
  ) {
    self.traffic = traffic
    self.shares = shares
    self.payloads = payloads
    self.transferSeconds = transferSeconds
    var smallest = shares
    for index in smallest.indices.reversed().dropFirst() {
      smallest[index] = min(smallest[index], smallest[index + 1])
    }
    smallestShareFrom = smallest
    var largest = shares
    for index in largest.indices.reversed().dropFirst() {
      largest[index] = max(largest[index], largest[index + 1])
    }
    largestShareFrom = largest
    for index in sites.indices { count(sites[index], at: index, sign: 1) }
    skipStarted(sites)
  }

  /// Adds (`sign` 1) or removes (-1) what `site`, at `index`, contributes.
  mutating func count(_ site: SiteState, at index: Int, sign: Int) {
    if case .failed = site.phase { failed += sign }
    if site.phase.isSettled { settled += sign }
    let share = shares[index]
    if site.phase.isInFlight {
      if sign > 0 { inFlight.insert(index) } else { inFlight.remove(index) }
      if site.holdsShareInFlight { reserved += Double(sign) * share }
    } else if site.phase == .pending, let prestage = site.prestage {
      if case .pulling = prestage {
        prestaging += sign
        prestagingShare += Double(sign) * share
        reserved += Double(sign) * share
      }
      if !prestage.isFailed { startingWithoutShare += sign }
    }
  }

  /// Moves the cursors past sites that no longer concern them.
  mutating func skipStarted(_ sites: [SiteState]) {
    while firstPending < sites.count && sites[firstPending].phase != .pending { firstPending += 1 }
    while firstUnprestaged < sites.count
      && (sites[firstUnprestaged].phase != .pending || sites[firstUnprestaged].prestage != nil)
    {
      firstUnprestaged += 1
    }
  }
}

extension WaveState {
  /// Changes the site at `index` in place, keeping the tally (which the engine made sure of).
  mutating func update(_ index: Int, _ change: (inout SiteState) -> Void) {
    tally.value?.count(storedSites[index], at: index, sign: -1)
    change(&storedSites[index])
    tally.value?.count(storedSites[index], at: index, sign: 1)
    tally.value?.skipStarted(storedSites)
  }
}

extension SiteState {
  /// Whether a site in flight still holds its uplink share: its payload has not arrived, and was
  /// not pre-staged.
  var holdsShareInFlight: Bool {
    if case .pulled = prestage { return false }
    return transferredAt == nil
  }
}
