import Foundation
import Model
import Rollout
import Testing

/// An instant written in UTC, like `2025-03-30T01:00:00Z`.
func utc(_ text: String) -> Date {
  let formatter = ISO8601DateFormatter()
  formatter.formatOptions = [.withInternetDateTime]
  guard let date = formatter.date(from: text) else { fatalError("bad date \(text)") }
  return date
}

func site(
  _ name: String = "store", zone: String? = nil, downlink: String? = nil,
  _ windows: [MaintenanceWindow] = []
) -> Site {
  Site(
    name: name, labels: [:], timezone: zone, downlink: downlink.flatMap(BitRate.init(parsing:)),
    maintenanceWindows: windows)
}

func site(_ windows: [MaintenanceWindow]) -> Site { site("store", windows) }

func window(_ days: [MaintenanceWindow.Day], _ hour: Int, _ minute: Int = 0, hours: Double)
  -> MaintenanceWindow
{
  MaintenanceWindow(days: days, startMinute: hour * 60 + minute, durationSeconds: hours * 3600)
}

@Suite("Maintenance calendar")
struct MaintenanceCalendarTests {
  @Test func siteWithoutWindowsIsAlwaysOpen() {
    let store = site()
    for text in ["2025-01-01T00:00:00Z", "2025-06-02T13:37:00Z", "2025-12-31T23:59:59Z"] {
      #expect(MaintenanceCalendar.isOpen(store, at: utc(text)))
      #expect(MaintenanceCalendar.nextOpening(store, after: utc(text)) == utc(text))
    }
  }

  @Test func windowBoundsAreHalfOpen() {
    // 2025-06-02 is a Monday.
    let store = site([window([.monday], 9, hours: 2)])
    #expect(!MaintenanceCalendar.isOpen(store, at: utc("2025-06-02T08:59:59Z")))
    #expect(MaintenanceCalendar.isOpen(store, at: utc("2025-06-02T09:00:00Z")))
    #expect(MaintenanceCalendar.isOpen(store, at: utc("2025-06-02T10:59:59Z")))
    #expect(!MaintenanceCalendar.isOpen(store, at: utc("2025-06-02T11:00:00Z")))
    #expect(!MaintenanceCalendar.isOpen(store, at: utc("2025-06-03T09:30:00Z")))
    #expect(
      MaintenanceCalendar.nextOpening(store, after: utc("2025-06-02T08:00:00Z"))
        == utc("2025-06-02T09:00:00Z"))
    #expect(
      MaintenanceCalendar.nextOpening(store, after: utc("2025-06-02T10:00:00Z"))
        == utc("2025-06-02T10:00:00Z"))
    #expect(
      MaintenanceCalendar.nextOpening(store, after: utc("2025-06-02T11:00:00Z"))
        == utc("2025-06-09T09:00:00Z"))
  }

  @Test func windowCrossesMidnight() {
    let store = site([window([.friday], 22, hours: 6)])  // Fri 22:00 – Sat 04:00
    #expect(!MaintenanceCalendar.isOpen(store, at: utc("2025-06-06T21:59:59Z")))
    #expect(MaintenanceCalendar.isOpen(store, at: utc("2025-06-06T22:00:00Z")))
    #expect(MaintenanceCalendar.isOpen(store, at: utc("2025-06-07T03:59:59Z")))
    #expect(!MaintenanceCalendar.isOpen(store, at: utc("2025-06-07T04:00:00Z")))
    // Saturday 22:00 is not a window: only Friday's opening is listed.
    #expect(!MaintenanceCalendar.isOpen(store, at: utc("2025-06-07T23:00:00Z")))
    #expect(
      MaintenanceCalendar.nextOpening(store, after: utc("2025-06-07T04:00:00Z"))
        == utc("2025-06-13T22:00:00Z"))
  }

  @Test func windowCrossesTheWeekBoundary() {
    let store = site([window([.sunday], 22, hours: 6)])  // Sun 22:00 – Mon 04:00
    #expect(MaintenanceCalendar.isOpen(store, at: utc("2025-06-08T22:00:00Z")))
    #expect(MaintenanceCalendar.isOpen(store, at: utc("2025-06-09T00:00:00Z")))
    #expect(MaintenanceCalendar.isOpen(store, at: utc("2025-06-09T03:59:59Z")))
    #expect(!MaintenanceCalendar.isOpen(store, at: utc("2025-06-09T04:00:00Z")))
    // Monday early morning of the first week: the window opened on the previous Sunday.
    #expect(MaintenanceCalendar.isOpen(store, at: utc("2025-06-02T01:00:00Z")))
    #expect(
      MaintenanceCalendar.nextOpening(store, after: utc("2025-06-09T05:00:00Z"))
        == utc("2025-06-15T22:00:00Z"))
  }

  @Test func earliestOfSeveralWindowsAndDays() {
    let store = site([
      window([.tuesday, .thursday], 1, hours: 1), window([.wednesday], 23, 30, hours: 0.5),
    ])
    #expect(
      MaintenanceCalendar.nextOpening(store, after: utc("2025-06-03T02:00:00Z"))
        == utc("2025-06-04T23:30:00Z"))
    #expect(
      MaintenanceCalendar.nextOpening(store, after: utc("2025-06-05T00:00:00Z"))
        == utc("2025-06-05T01:00:00Z"))
    #expect(MaintenanceCalendar.isOpen(store, at: utc("2025-06-05T01:30:00Z")))
  }

  @Test func windowsThatNeverOpen() {
    let noDays = site([MaintenanceWindow(days: [], startMinute: 0, durationSeconds: 3600)])
    let noDuration = site([window(MaintenanceWindow.Day.allCases, 0, hours: 0)])
    for store in [noDays, noDuration] {
      #expect(!MaintenanceCalendar.isOpen(store, at: utc("2025-06-02T00:00:00Z")))
      #expect(MaintenanceCalendar.nextOpening(store, after: utc("2025-06-02T00:00:00Z")) == nil)
    }
    let weekLong = site([window([.monday], 0, hours: 7 * 24)])
    #expect(MaintenanceCalendar.isOpen(weekLong, at: utc("2025-06-05T12:00:00Z")))
  }

  @Test func zoneLookup() {
    #expect(MaintenanceCalendar.timeZone(of: site())?.secondsFromGMT() == 0)
    #expect(
      MaintenanceCalendar.timeZone(of: site(zone: "Europe/Paris"))?.identifier == "Europe/Paris")
    #expect(MaintenanceCalendar.timeZone(of: site(zone: "Mars/Olympus_Mons")) == nil)
  }

  @Test func unknownZoneIsTreatedAsUTC() {
    let store = site(zone: "Mars/Olympus_Mons", [window([.monday], 9, hours: 1)])
    #expect(MaintenanceCalendar.isOpen(store, at: utc("2025-06-02T09:30:00Z")))
    #expect(!MaintenanceCalendar.isOpen(store, at: utc("2025-06-02T10:30:00Z")))
    #expect(
      MaintenanceCalendar.nextOpening(store, after: utc("2025-06-02T10:30:00Z"))
        == utc("2025-06-09T09:00:00Z"))
  }

  @Test func parisWinterAndSummer() {
    let store = site(zone: "Europe/Paris", [window(MaintenanceWindow.Day.allCases, 22, hours: 1)])
    // CET (+1) in January, CEST (+2) in July.
    #expect(MaintenanceCalendar.isOpen(store, at: utc("2025-01-15T21:00:00Z")))
    #expect(!MaintenanceCalendar.isOpen(store, at: utc("2025-01-15T20:59:59Z")))
    #expect(MaintenanceCalendar.isOpen(store, at: utc("2025-07-15T20:00:00Z")))
    #expect(!MaintenanceCalendar.isOpen(store, at: utc("2025-07-15T21:00:00Z")))
    #expect(
      MaintenanceCalendar.nextOpening(store, after: utc("2025-07-15T12:00:00Z"))
        == utc("2025-07-15T20:00:00Z"))
  }

  @Test func parisSpringForward() {
    // 2025-03-30: 02:00 CET (01:00Z) jumps to 03:00 CEST.
    let spanning = site(zone: "Europe/Paris", [window([.sunday], 1, hours: 3)])  // 01:00–04:00
    #expect(!MaintenanceCalendar.isOpen(spanning, at: utc("2025-03-29T23:59:59Z")))
    #expect(MaintenanceCalendar.isOpen(spanning, at: utc("2025-03-30T00:00:00Z")))
    #expect(MaintenanceCalendar.isOpen(spanning, at: utc("2025-03-30T01:59:59Z")))
    #expect(!MaintenanceCalendar.isOpen(spanning, at: utc("2025-03-30T02:00:00Z")))  // 04:00 CEST
    // Starting inside the skipped hour: opens at the transition, closes at 03:30 CEST.
    let inGap = site(zone: "Europe/Paris", [window([.sunday], 2, 30, hours: 1)])
    #expect(
      MaintenanceCalendar.nextOpening(inGap, after: utc("2025-03-29T12:00:00Z"))
        == utc("2025-03-30T01:00:00Z"))
    #expect(!MaintenanceCalendar.isOpen(inGap, at: utc("2025-03-30T00:59:59Z")))
    #expect(MaintenanceCalendar.isOpen(inGap, at: utc("2025-03-30T01:29:59Z")))
    #expect(!MaintenanceCalendar.isOpen(inGap, at: utc("2025-03-30T01:30:00Z")))
    // Entirely inside the skipped hour: no window that day, the next one is a week later.
    let hidden = site(zone: "Europe/Paris", [window([.sunday], 2, 15, hours: 0.5)])
    #expect(
      MaintenanceCalendar.nextOpening(hidden, after: utc("2025-03-29T12:00:00Z"))
        == utc("2025-04-06T00:15:00Z"))
    // Starting exactly at 03:00 local, the first instant after the gap.
    let atThree = site(zone: "Europe/Paris", [window([.sunday], 3, hours: 1)])
    #expect(
      MaintenanceCalendar.nextOpening(atThree, after: utc("2025-03-29T12:00:00Z"))
        == utc("2025-03-30T01:00:00Z"))
  }

  @Test func parisFallBack() {
    // 2025-10-26: 03:00 CEST (01:00Z) falls back to 02:00 CET; 02:00–03:00 happens twice.
    let repeated = site(zone: "Europe/Paris", [window([.sunday], 2, hours: 0.5)])
    #expect(MaintenanceCalendar.isOpen(repeated, at: utc("2025-10-26T00:15:00Z")))
    #expect(!MaintenanceCalendar.isOpen(repeated, at: utc("2025-10-26T00:45:00Z")))
    #expect(
      MaintenanceCalendar.nextOpening(repeated, after: utc("2025-10-26T00:45:00Z"))
        == utc("2025-10-26T01:00:00Z"))
    #expect(MaintenanceCalendar.isOpen(repeated, at: utc("2025-10-26T01:15:00Z")))
    #expect(!MaintenanceCalendar.isOpen(repeated, at: utc("2025-10-26T01:30:00Z")))
    // 01:00–04:00 local lasts four hours of elapsed time that night.
    let spanning = site(zone: "Europe/Paris", [window([.sunday], 1, hours: 3)])
    #expect(MaintenanceCalendar.isOpen(spanning, at: utc("2025-10-25T23:00:00Z")))
    #expect(MaintenanceCalendar.isOpen(spanning, at: utc("2025-10-26T02:59:59Z")))
    #expect(!MaintenanceCalendar.isOpen(spanning, at: utc("2025-10-26T03:00:00Z")))
  }

  @Test func anchorage() {
    // AKST is −9, AKDT −8; local Monday 23:00 is Tuesday in UTC.
    let store = site(zone: "America/Anchorage", [window([.monday], 23, hours: 0.5)])
    #expect(MaintenanceCalendar.isOpen(store, at: utc("2025-01-14T08:15:00Z")))
    #expect(!MaintenanceCalendar.isOpen(store, at: utc("2025-01-13T23:15:00Z")))
    #expect(MaintenanceCalendar.isOpen(store, at: utc("2025-07-15T07:15:00Z")))
    #expect(
      MaintenanceCalendar.nextOpening(store, after: utc("2025-01-13T00:00:00Z"))
        == utc("2025-01-14T08:00:00Z"))
    // 2025-03-09 02:00 AKST (11:00Z) springs forward: 01:00–05:00 local is 3 hours long.
    let night = site(zone: "America/Anchorage", [window([.sunday], 1, hours: 4)])
    #expect(MaintenanceCalendar.isOpen(night, at: utc("2025-03-09T10:00:00Z")))
    #expect(MaintenanceCalendar.isOpen(night, at: utc("2025-03-09T12:59:59Z")))
    #expect(!MaintenanceCalendar.isOpen(night, at: utc("2025-03-09T13:00:00Z")))
  }

  @Test func sydney() {
    // AEST +10 in June: local Monday 09:00 is Sunday 23:00Z.
    let store = site(zone: "Australia/Sydney", [window([.monday], 9, hours: 1)])
    #expect(MaintenanceCalendar.isOpen(store, at: utc("2025-06-01T23:30:00Z")))
    #expect(!MaintenanceCalendar.isOpen(store, at: utc("2025-06-02T09:30:00Z")))
    // 2025-04-06 03:00 AEDT (16:00Z Sat) falls back to 02:00 AEST; window 02:30–03:30 local.
    let fallBack = site(zone: "Australia/Sydney", [window([.sunday], 2, 30, hours: 1)])
    #expect(MaintenanceCalendar.isOpen(fallBack, at: utc("2025-04-05T15:45:00Z")))
    #expect(!MaintenanceCalendar.isOpen(fallBack, at: utc("2025-04-05T16:15:00Z")))
    #expect(
      MaintenanceCalendar.nextOpening(fallBack, after: utc("2025-04-05T16:15:00Z"))
        == utc("2025-04-05T16:30:00Z"))
    #expect(MaintenanceCalendar.isOpen(fallBack, at: utc("2025-04-05T17:29:59Z")))
    #expect(!MaintenanceCalendar.isOpen(fallBack, at: utc("2025-04-05T17:30:00Z")))
  }

  @Test func auckland() {
    // NZST +12 in June: Sat 22:00 – Sun 04:00 local is Sat 10:00Z – 16:00Z.
    let store = site(zone: "Pacific/Auckland", [window([.saturday], 22, hours: 6)])
    #expect(MaintenanceCalendar.isOpen(store, at: utc("2025-06-07T10:00:00Z")))
    #expect(MaintenanceCalendar.isOpen(store, at: utc("2025-06-07T15:59:59Z")))
    #expect(!MaintenanceCalendar.isOpen(store, at: utc("2025-06-07T16:00:00Z")))
    // 2025-09-28 02:00 NZST (14:00Z Sat) springs forward: that night the window ends at 15:00Z.
    #expect(MaintenanceCalendar.isOpen(store, at: utc("2025-09-27T10:00:00Z")))
    #expect(MaintenanceCalendar.isOpen(store, at: utc("2025-09-27T14:59:59Z")))
    #expect(!MaintenanceCalendar.isOpen(store, at: utc("2025-09-27T15:00:00Z")))
    #expect(
      MaintenanceCalendar.nextOpening(store, after: utc("2025-09-27T15:00:00Z"))
        == utc("2025-10-04T09:00:00Z"))
  }

  /// nextOpening agrees with isOpen: it is open, and nothing before it (sampled every 10 minutes) is.
  @Test(arguments: ["Europe/Paris", "America/Anchorage", "Australia/Sydney", "Pacific/Auckland"])
  func nextOpeningIsTheFirstOpenInstant(zone: String) throws {
    let store = site(
      zone: zone,
      [window([.sunday], 2, 30, hours: 1), window([.wednesday, .saturday], 23, hours: 3)])
    // Around both of the year's transitions for every zone, plus ordinary weeks.
    let anchors = [
      "2025-03-07T00:00:00Z", "2025-03-28T00:00:00Z", "2025-04-04T00:00:00Z",
      "2025-09-26T00:00:00Z", "2025-10-03T00:00:00Z", "2025-10-24T00:00:00Z",
      "2025-10-31T00:00:00Z",
    ]
    for anchor in anchors {
      var instant = utc(anchor)
      let end = instant.addingTimeInterval(9 * 86_400)
      while instant < end {
        let opening = try #require(MaintenanceCalendar.nextOpening(store, after: instant))
        #expect(opening >= instant)
        #expect(MaintenanceCalendar.isOpen(store, at: opening))
        var probe = instant
        while probe < opening {
          #expect(!MaintenanceCalendar.isOpen(store, at: probe), "\(zone) \(probe)")
          probe = probe.addingTimeInterval(600)
        }
        instant = instant.addingTimeInterval(3 * 3600 + 17 * 60)
      }
    }
  }

  @Test func closingIsTheEndOfTheWindowOpenNow() {
    let store = site([window(MaintenanceWindow.Day.allCases, 22, hours: 4)])
    #expect(
      MaintenanceCalendar.closing(store, after: utc("2025-06-02T23:10:00Z"))
        == utc("2025-06-03T02:00:00Z"))
    #expect(MaintenanceCalendar.closing(store, after: utc("2025-06-03T02:00:00Z")) == nil)
    #expect(MaintenanceCalendar.closing(site([]), after: utc("2025-06-03T02:00:00Z")) == nil)
    // Windows that touch keep the site open: Monday 22:00-24:00 then Tuesday 00:00-03:00.
    let touching = site([window([.monday], 22, hours: 2), window([.tuesday], 0, hours: 3)])
    #expect(
      MaintenanceCalendar.closing(touching, after: utc("2025-06-02T22:30:00Z"))
        == utc("2025-06-03T03:00:00Z"))
    let always = site([window(MaintenanceWindow.Day.allCases, 0, hours: 7 * 24)])
    #expect(
      MaintenanceCalendar.closing(always, after: utc("2025-06-02T22:30:00Z")) == .distantFuture)
  }

  @Test func closingAcrossDaylightSavingTime() {
    // 01:00-04:00 Paris time: 02:00Z on the spring-forward night, 03:00Z on the fall-back one.
    let spanning = site(zone: "Europe/Paris", [window([.sunday], 1, hours: 3)])
    #expect(
      MaintenanceCalendar.closing(spanning, after: utc("2025-03-30T00:30:00Z"))
        == utc("2025-03-30T02:00:00Z"))
    #expect(
      MaintenanceCalendar.closing(spanning, after: utc("2025-10-25T23:30:00Z"))
        == utc("2025-10-26T03:00:00Z"))
  }

  /// closing agrees with isOpen: open from the instant until it (sampled every 10 minutes and
  /// the second before), closed at it.
  @Test(arguments: ["Europe/Paris", "America/Anchorage", "Australia/Sydney", "Pacific/Auckland"])
  func closingIsTheFirstClosedInstant(zone: String) throws {
    let store = site(
      zone: zone,
      [window([.sunday], 1, 30, hours: 2), window([.wednesday, .saturday], 23, hours: 3)])
    for anchor in ["2025-03-07T00:00:00Z", "2025-03-28T00:00:00Z", "2025-09-26T00:00:00Z"] {
      var instant = utc(anchor)
      let end = instant.addingTimeInterval(10 * 86_400)
      while instant < end {
        defer { instant = instant.addingTimeInterval(23 * 60) }
        guard MaintenanceCalendar.isOpen(store, at: instant) else {
          #expect(MaintenanceCalendar.closing(store, after: instant) == nil)
          continue
        }
        let closing = try #require(MaintenanceCalendar.closing(store, after: instant))
        #expect(!MaintenanceCalendar.isOpen(store, at: closing), "\(zone) \(instant)")
        #expect(MaintenanceCalendar.isOpen(store, at: closing.addingTimeInterval(-1)))
        var probe = instant
        while probe < closing {
          #expect(MaintenanceCalendar.isOpen(store, at: probe), "\(zone) \(probe)")
          probe = probe.addingTimeInterval(600)
        }
      }
    }
  }
}
