public import Foundation
public import Model

/// One site's transfer of a wave's payload, as planned by `TransferScheduler`.
public struct ScheduledTransfer: Sendable, Hashable {
  public var site: String
  public var start: Date
  public var end: Date
  /// The average rate over the transfer: payload ÷ (end − start), rounded to whole bytes. The
  /// rate changes whenever another transfer starts or finishes (see `RateSegment`); a transfer of
  /// zero duration reports the rate it was allowed at its start, `Int64.max` when unlimited.
  public var bytesPerSecond: Int64

  public init(site: String, start: Date, end: Date, bytesPerSecond: Int64) {
    self.site = site
    self.start = start
    self.end = end
    self.bytesPerSecond = bytesPerSecond
  }
}

/// A stretch of time during which one transfer ran at a constant rate.
public struct RateSegment: Sendable, Hashable {
  public var site: String
  public var from: Date
  public var to: Date
  public var bytesPerSecond: Double

  public init(site: String, from: Date, to: Date, bytesPerSecond: Double) {
    self.site = site
    self.from = from
    self.to = to
    self.bytesPerSecond = bytesPerSecond
  }
}

/// Plans one wave's payload transfers: an event-driven simulation, pure (time is passed in).
///
/// - Sites start in the given order as slots free up, at most `maxConcurrent` at once (values
///   below 1 count as 1). A site starts only while its maintenance window is open; a closed site
///   waits for its next opening and the sites after it may start first.
/// - A transfer's rate is the minimum of the site's downlink (when known and positive) and its
///   share of the uplink budget (when set). The budget is shared max-min fairly ("water-filling"):
///   a transfer capped by its downlink below an equal share leaves the unused part to the others,
///   so a 2 Mbps satellite site does not hold a fast site back. Rates are recomputed at every
///   start and finish, so the remaining transfers speed up when one finishes.
/// - A site with neither a downlink nor a budget transfers instantly (rate `Int64.max`,
///   end = start) and, like a zero-byte payload, does not hold a slot.
/// - A transfer that started inside a window runs to completion even after the window closes.
/// - Sites whose windows can never open are not scheduled; `Simulation.neverOpen` lists them.
/// - Start and end times are rounded to whole milliseconds.
public enum TransferScheduler {
  public struct Simulation: Sendable, Hashable {
    /// The transfers, in start order.
    public var transfers: [ScheduledTransfer]
    /// The piecewise-constant rates of every transfer of positive duration (times not rounded).
    public var segments: [RateSegment]
    /// Names of sites that were not scheduled because their windows never open.
    public var neverOpen: [String]
  }

  public static func schedule(
    _ sites: [Site], payloadBytes: (Site) -> Int64, uplinkBudget: BitRate?, maxConcurrent: Int,
    now: Date
  ) -> [ScheduledTransfer] {
    simulate(
      sites, payloadBytes: payloadBytes, uplinkBudget: uplinkBudget, maxConcurrent: maxConcurrent,
      now: now
    ).transfers
  }

  private struct Running {
    var transfer: Int
    var payload: Double
    var remaining: Double
    var cap: Double
    var firstRate: Double?
  }

  private struct Waiting {
    var site: Int
    var opensAt: Double?
  }

  public static func simulate(
    _ sites: [Site], payloadBytes: (Site) -> Int64, uplinkBudget: BitRate?, maxConcurrent: Int,
    now: Date
  ) -> Simulation {
    let slots = max(1, maxConcurrent)
    let budget: Double? = uplinkBudget.flatMap {
      $0.bitsPerSecond > 0 ? Double($0.bitsPerSecond) / 8 : nil
    }
    // Simulation time is `timeIntervalSinceReferenceDate`, which `Date` stores exactly.
    var time = now.timeIntervalSinceReferenceDate
    var waiting = sites.indices.map { Waiting(site: $0, opensAt: nil) }
    var running: [Running] = []
    var names: [String] = []
    var starts: [Double] = []
    var ends: [Double] = []
    var rates: [Int64] = []
    var segments: [RateSegment] = []
    var neverOpen: [String] = []

    func date(_ seconds: Double) -> Date { Date(timeIntervalSinceReferenceDate: seconds) }

    while true {
      // Start every site that may start now, in order, while slots are free.
      var position = 0
      while running.count < slots && position < waiting.count {
        let site = sites[waiting[position].site]
        if (waiting[position].opensAt ?? -.infinity) < time {
          guard let opening = MaintenanceCalendar.nextOpening(site, after: date(time)) else {
            neverOpen.append(site.name)
            waiting.remove(at: position)
            continue
          }
          waiting[position].opensAt = opening.timeIntervalSinceReferenceDate
        }
        guard let opensAt = waiting[position].opensAt, opensAt <= time else {
          position += 1
          continue
        }
        waiting.remove(at: position)
        let payload = Double(max(0, payloadBytes(site)))
        let downlink = site.downlink.flatMap {
          $0.bitsPerSecond > 0 ? Double($0.bitsPerSecond) / 8 : nil
        }
        names.append(site.name)
        starts.append(time)
        ends.append(time)
        if downlink == nil && budget == nil {
          rates.append(.max)
        } else if payload == 0 {
          let cap = min(downlink ?? .infinity, budget ?? .infinity)
          rates.append(Int64(cap.rounded()))
        } else {
          rates.append(0)
          running.append(
            Running(
              transfer: names.count - 1, payload: payload, remaining: payload,
              cap: downlink ?? .infinity))
        }
      }
      let nextOpening = running.count < slots ? waiting.compactMap(\.opensAt).min() : nil
      guard !running.isEmpty else {
        guard let nextOpening else { break }
        time = nextOpening
        continue
      }
      let current = allocate(caps: running.map(\.cap), budget: budget)
      for index in running.indices where running[index].firstRate == nil {
        running[index].firstRate = current[index]
      }
      let untilDone = running.indices.map { running[$0].remaining / current[$0] }
      let firstDone = untilDone.min() ?? 0
      var next = time + firstDone
      var finishing = true
      if let nextOpening, nextOpening < next {
        next = nextOpening
        finishing = false
      }
      for index in running.indices {
        let transfer = running[index].transfer
        if next > time {
          segments.append(
            RateSegment(
              site: names[transfer], from: date(time), to: date(next),
              bytesPerSecond: current[index]))
        }
        running[index].remaining -= current[index] * (next - time)
      }
      time = next
      if finishing {
        var kept: [Running] = []
        for (index, item) in running.enumerated() {
          if untilDone[index] <= firstDone * (1 + 1e-12) || item.remaining <= 1e-6 {
            ends[item.transfer] = time
            let duration = time - starts[item.transfer]
            let average = duration > 0 ? item.payload / duration : item.firstRate ?? 0
            rates[item.transfer] = Int64(average.rounded())
          } else {
            kept.append(item)
          }
        }
        running = kept
      }
    }
    let transfers = names.indices.map {
      ScheduledTransfer(
        site: names[$0], start: date(roundedToMilliseconds(starts[$0])),
        end: date(roundedToMilliseconds(ends[$0])), bytesPerSecond: rates[$0])
    }
    return Simulation(transfers: transfers, segments: segments, neverOpen: neverOpen)
  }

  static func roundedToMilliseconds(_ seconds: Double) -> Double {
    (seconds * 1000).rounded() / 1000
  }

  /// Max-min fair shares of `budget` (bytes per second) among transfers capped at `caps`: a
  /// transfer capped below the equal share takes its cap and the rest is shared by the others.
  static func allocate(caps: [Double], budget: Double?) -> [Double] {
    guard let budget else { return caps }
    var rates = caps
    var left = budget
    let order = caps.indices.sorted { caps[$0] < caps[$1] }
    for (position, index) in order.enumerated() {
      let share = left / Double(order.count - position)
      if caps[index] <= share {
        rates[index] = caps[index]
        left -= caps[index]
      } else {
        for other in order[position...] { rates[other] = share }
        break
      }
    }
    return rates
  }
}
