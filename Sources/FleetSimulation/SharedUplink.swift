import HeapModule

/// Transfers sharing a region's uplink, as a fluid model: each transfer runs at the smaller of its
/// site's downlink and its max-min fair share of the uplink (a transfer capped below the equal
/// share keeps its cap and leaves the rest to the others, as TCP roughly does).
///
/// Transfers are grouped by downlink rate. Within a group every transfer runs at the same rate at
/// every instant, so one counter per group, the bytes each of its transfers has received so far
/// (`served`), tells how far every transfer got: a transfer started at counter value `s` with `b`
/// bytes ends when the counter reaches `s + b`. Starting, finishing or dropping a transfer costs
/// O(log n) plus O(groups) to share the uplink again, whatever the number of transfers.
struct SharedUplink {
  private struct Finish: Comparable {
    var served: Double
    var site: Int
    var generation: Int
    static func < (a: Finish, b: Finish) -> Bool {
      (a.served, a.site) < (b.served, b.site)
    }
  }

  private struct Group {
    var capacity: Double
    var active = 0
    var served = 0.0
    var rate = 0.0
    var finishes = Heap<Finish>()
  }

  private struct Transfer {
    var group: Int
    var startServed: Double
    var generation: Int
    var running: Bool
  }

  /// The uplink, in bytes per second.
  let uplink: Double
  private(set) var now = 0.0
  private var groups: [Group] = []
  private var groupOfCapacity: [Double: Int] = [:]
  private var transfers: [Transfer]
  private var generations: Int = 0
  /// Seconds during which the active transfers' downlinks added up to more than the uplink.
  private(set) var overBudgetSeconds = 0.0
  /// The largest sum of active transfers' downlinks seen.
  private(set) var peakDemand = 0.0
  /// The largest total rate actually sent (never above the uplink, by construction).
  private(set) var peakSent = 0.0
  private var demand = 0.0

  init(uplinkBytesPerSecond: Double, sites: Int) {
    uplink = uplinkBytesPerSecond
    transfers = Array(
      repeating: Transfer(group: 0, startServed: 0, generation: -1, running: false), count: sites)
  }

  var activeTransfers: Int { groups.reduce(0) { $0 + $1.active } }

  func isRunning(_ site: Int) -> Bool { transfers[site].running }

  /// Lets time pass until `time` at the current rates.
  mutating func advance(to time: Double) {
    let elapsed = time - now
    guard elapsed > 0 else { return }
    if demand > uplink * (1 + 1e-9) { overBudgetSeconds += elapsed }
    for index in groups.indices where groups[index].active > 0 {
      groups[index].served += groups[index].rate * elapsed
    }
    now = time
  }

  /// Starts `site`'s transfer of `bytes` now, on a downlink of `capacity` bytes per second.
  mutating func start(_ site: Int, bytes: Double, capacity: Double) {
    let group: Int
    if let known = groupOfCapacity[capacity] {
      group = known
    } else {
      group = groups.count
      groups.append(Group(capacity: capacity))
      groupOfCapacity[capacity] = group
    }
    generations += 1
    let served = groups[group].served
    transfers[site] = Transfer(
      group: group, startServed: served, generation: generations, running: true)
    groups[group].finishes.insert(
      Finish(served: served + bytes, site: site, generation: generations))
    groups[group].active += 1
    share()
  }

  /// Stops `site`'s transfer (a dropped link): returns the bytes it had received, now wasted.
  mutating func drop(_ site: Int) -> Double {
    guard transfers[site].running else { return 0 }
    let transfer = transfers[site]
    transfers[site].running = false
    groups[transfer.group].active -= 1
    share()
    return groups[transfer.group].served - transfer.startServed
  }

  /// The next transfer to finish at the current rates, and when.
  mutating func nextFinish() -> (site: Int, time: Double)? {
    var best: (site: Int, time: Double)?
    for index in groups.indices where groups[index].active > 0 {
      while let head = groups[index].finishes.min,
        transfers[head.site].generation != head.generation || !transfers[head.site].running
      {
        groups[index].finishes.removeMin()
      }
      guard let head = groups[index].finishes.min else { continue }
      let time = now + max(0, head.served - groups[index].served) / groups[index].rate
      if best.map({ time < $0.time }) ?? true { best = (head.site, time) }
    }
    return best
  }

  /// Ends the transfer `nextFinish` named, once time has advanced to its end.
  mutating func finish(_ site: Int) {
    let group = transfers[site].group
    groups[group].finishes.removeMin()
    transfers[site].running = false
    groups[group].active -= 1
    share()
  }

  /// Shares the uplink max-min fairly among the groups' transfers (smallest downlinks first).
  private mutating func share() {
    let order = groups.indices.filter { groups[$0].active > 0 }
      .sorted { groups[$0].capacity < groups[$1].capacity }
    var left = uplink
    var remaining = order.reduce(0) { $0 + groups[$1].active }
    demand = order.reduce(0.0) { $0 + groups[$1].capacity * Double(groups[$1].active) }
    peakDemand = max(peakDemand, demand)
    var sent = 0.0
    for index in order {
      let fair = left / Double(remaining)
      let rate = min(groups[index].capacity, fair)
      groups[index].rate = rate
      left -= rate * Double(groups[index].active)
      remaining -= groups[index].active
      sent += rate * Double(groups[index].active)
    }
    peakSent = max(peakSent, sent)
  }
}
