public import Foundation
public import Model

/// When a site's weekly maintenance windows are open.
///
/// Windows are weekly and defined in the site's local wall-clock time (`Site.timezone`, UTC when
/// unset). An instant is inside a window when its local wall-clock reading lies in
/// `[day + start, day + start + duration)`, so a window may cross midnight and the week boundary
/// (`Sun 22:00 + 6h` ends on Monday at 04:00).
///
/// Daylight-saving time follows from the wall-clock definition:
/// - on a spring-forward night a window spanning the skipped hour is one hour shorter in elapsed
///   time, and a window starting inside the skipped hour opens at the transition instant; a window
///   lying entirely inside the skipped hour does not open that day;
/// - on a fall-back night the repeated local hour counts twice, so a window covering it is one
///   hour longer, and a window inside the repeated hour opens twice.
///
/// Sites read from a repository always name a known zone (an unknown one is refused where the
/// site file is read); a site built otherwise with an unknown zone is treated as UTC, and
/// `timeZone(of:)` returns nil for it so callers can report the misconfiguration.
public enum MaintenanceCalendar {
  static let week: Double = 7 * 86_400
  /// 1970-01-05T00:00, the first Monday of the epoch, in local seconds.
  static let mondayEpoch: Double = 4 * 86_400
  static let utc = TimeZone(secondsFromGMT: 0)!

  /// The site's zone: UTC when the site names none, nil when it names an unknown zone.
  public static func timeZone(of site: Site) -> TimeZone? {
    guard let name = site.timezone else { return utc }
    return TimeZone(identifier: name)
  }

  /// Whether a change may be applied to `site` at `instant`. A site without windows is always open.
  public static func isOpen(_ site: Site, at instant: Date) -> Bool {
    if site.maintenanceWindows.isEmpty { return true }
    let local = localSeconds(instant, zone(of: site))
    return site.maintenanceWindows.contains { covers($0, local) }
  }

  /// The first instant at or after `instant` at which the site is open: `instant` itself when it is
  /// open already, nil when none of the site's windows can ever open (no days or no duration).
  public static func nextOpening(_ site: Site, after instant: Date) -> Date? {
    if isOpen(site, at: instant) { return instant }
    let zone = zone(of: site)
    // Any window with a day and a duration opens within two weeks, even if a DST gap hides it once.
    let horizon = instant.addingTimeInterval(15 * 86_400)
    var segmentStart = instant
    // Walk segments of constant UTC offset; inside one, local time is instant + offset.
    while segmentStart < horizon {
      let offset = Double(zone.secondsFromGMT(for: segmentStart))
      let segmentEnd = zone.nextDaylightSavingTimeTransition(after: segmentStart) ?? .distantFuture
      let local = segmentStart.timeIntervalSince1970 + offset
      let starts = site.maintenanceWindows.compactMap { nextStart($0, atOrAfter: local) }
      guard let first = starts.min() else { return nil }
      let candidate = Date(timeIntervalSince1970: first - offset)
      if candidate < segmentEnd { return candidate }
      // A transition may itself move the local clock into a window.
      segmentStart = segmentEnd
      if isOpen(site, at: segmentStart) { return segmentStart }
    }
    return nil
  }

  /// When the windows open at `instant` close: the first instant after it at which the site is
  /// closed (windows that touch or overlap count as one); nil when it is closed at `instant` or has
  /// no windows, `.distantFuture` when it never closes within two weeks.
  public static func closing(_ site: Site, after instant: Date) -> Date? {
    guard !site.maintenanceWindows.isEmpty, isOpen(site, at: instant) else { return nil }
    if site.maintenanceWindows.contains(where: { $0.durationSeconds >= week && !$0.days.isEmpty }) {
      return .distantFuture
    }
    let zone = zone(of: site)
    var closing = instant
    // Each step reaches the end of the windows open at `closing`; a window opening right there
    // keeps the site open. Bounded: a week of daily windows that touch is 14 steps.
    for _ in 0..<32 where isOpen(site, at: closing) {
      let local = localSeconds(closing, zone)
      let end = site.maintenanceWindows.flatMap { openings(of: $0, covering: local) }.map {
        $0.opening + $0.duration
      }.max()
      guard let end else { return closing }
      closing = max(firstInstant(reading: end, atOrAfter: closing, zone), closing + 1)
    }
    return isOpen(site, at: closing) ? .distantFuture : closing
  }

  static func zone(of site: Site) -> TimeZone { timeZone(of: site) ?? utc }

  /// The first instant at or after `instant` whose local reading is `local` or later: on a
  /// spring-forward night a skipped reading is reached at the transition.
  static func firstInstant(reading local: Double, atOrAfter instant: Date, _ zone: TimeZone)
    -> Date
  {
    var segmentStart = instant
    // Walk segments of constant UTC offset, as nextOpening does; a year has two transitions.
    for _ in 0..<4 {
      if localSeconds(segmentStart, zone) >= local { return segmentStart }
      let offset = Double(zone.secondsFromGMT(for: segmentStart))
      let candidate = Date(timeIntervalSince1970: local - offset)
      guard let transition = zone.nextDaylightSavingTimeTransition(after: segmentStart),
        transition <= candidate
      else { return candidate }
      segmentStart = transition
    }
    return segmentStart
  }

  /// The local wall-clock reading of `instant`, as seconds since 1970-01-01T00:00 local.
  static func localSeconds(_ instant: Date, _ zone: TimeZone) -> Double {
    instant.timeIntervalSince1970 + Double(zone.secondsFromGMT(for: instant))
  }

  /// Local seconds of the Monday 00:00 starting the week that contains `local`.
  static func weekStart(_ local: Double) -> Double {
    mondayEpoch + week * ((local - mondayEpoch) / week).rounded(.down)
  }

  /// Seconds after Monday 00:00 at which the window opens on `day`, in `[0, week)`.
  static func offsetInWeek(_ day: MaintenanceWindow.Day, _ window: MaintenanceWindow) -> Double {
    let dayIndex = Double(MaintenanceWindow.Day.allCases.firstIndex(of: day) ?? 0)
    let raw = dayIndex * 86_400 + Double(window.startMinute) * 60
    let wrapped = raw.truncatingRemainder(dividingBy: week)
    return wrapped < 0 ? wrapped + week : wrapped
  }

  static func covers(_ window: MaintenanceWindow, _ local: Double) -> Bool {
    !openings(of: window, covering: local).isEmpty
  }

  /// The local openings of `window` whose span contains `local` (an always-open window: one that
  /// never ends).
  static func openings(of window: MaintenanceWindow, covering local: Double) -> [(
    opening: Double, duration: Double
  )] {
    guard window.durationSeconds > 0, !window.days.isEmpty else { return [] }
    if window.durationSeconds >= week { return [(-Double.infinity, .infinity)] }
    let base = weekStart(local)
    return window.days.flatMap { day in
      let start = base + offsetInWeek(day, window)
      return [start - week, start].filter {
        $0 <= local && local < $0 + window.durationSeconds
      }.map { ($0, window.durationSeconds) }
    }
  }

  /// The first local opening of `window` at or after `local`, nil when it never opens.
  static func nextStart(_ window: MaintenanceWindow, atOrAfter local: Double) -> Double? {
    guard window.durationSeconds > 0 else { return nil }
    let base = weekStart(local)
    return window.days.compactMap { day -> Double? in
      let start = base + offsetInWeek(day, window)
      return [start, start + week].first { $0 >= local }
    }.min()
  }
}
