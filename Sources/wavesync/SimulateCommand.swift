import ArgumentParser
import FleetSimulation
import Foundation
import Model

struct SimulateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "simulate",
    abstract: "Simulate a region's rollout under Wavesync's engine and simpler strategies.",
    discussion: """
      A discrete-event simulation (simulated time; nothing is contacted) of one region: sites on \
      2, 20 and 100 Mbit/s links (30%, 50%, 20%) sharing one uplink, payloads from image layer \
      sets with shared base layers, waves of 1% / 5% / 15% / the rest with caps and soaks, links \
      that drop (a dropped transfer restarts from zero). Wavesync's strategy drives the real \
      rollout engine; the baselines share the uplink TCP-fairly. Each makespan is compared with \
      a lower bound (docs/performance.md says how it is computed).
      """)

  @Option(name: .long, help: "Number of sites in the region.")
  var sites = 10_000

  @Option(name: .long, help: "Seed of the random fleet and link drops (same seed, same figures).")
  var seed: UInt64 = 1

  @Option(name: .long, help: "The region's uplink, e.g. 1Gbps or 500Mbps; also Wavesync's budget.")
  var uplink = "1Gbps"

  @Option(
    name: .long,
    help: "Percentage of sites whose link drops in an hour (a running transfer restarts from zero)."
  )
  var dropsPerHour = 2.0

  @Flag(
    inversion: .prefixedNo,
    help: "Give each site a nightly four-hour maintenance window (and use the window-aware bound).")
  var windows = false

  @Flag(
    name: .long,
    help: """
      Wavesync pre-stages the images of the waves ahead (--prestage-waves) while a wave runs \
      and soaks (the baselines cannot); ratios are to the pre-staging bound.
      """)
  var prestage = false

  @Option(
    name: .long,
    help: """
      With --prestage, how many waves ahead pre-stage at once (the fleet's \
      rollout.prestageWaves; 1: the next wave only).
      """)
  var prestageWaves = 1

  @Option(name: .long, help: "Sites per batch for the fixed-batches baseline.")
  var batchSize = 200

  @Option(
    name: .long, help: "Seconds a site takes to activate the revision once it has the payload.")
  var activationSeconds = 30.0

  @Option(name: [.short, .long], help: "Output format: table or json.")
  var output: SimulateFormat = .table

  enum SimulateFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
  }

  func validate() throws {
    guard sites > 0 else { throw ValidationError("--sites must be at least 1") }
    guard BitRate(parsing: uplink) != nil else {
      throw ValidationError("--uplink \"\(uplink)\" is not a rate such as 1Gbps or 500Mbps")
    }
    guard dropsPerHour >= 0, dropsPerHour.isFinite else {
      throw ValidationError("--drops-per-hour must be a percentage of 0 or more")
    }
    guard batchSize > 0 else { throw ValidationError("--batch-size must be at least 1") }
    guard prestageWaves > 0 else { throw ValidationError("--prestage-waves must be at least 1") }
    guard activationSeconds >= 0, activationSeconds.isFinite else {
      throw ValidationError("--activation-seconds must be 0 or more")
    }
  }

  func run() throws {
    guard let rate = BitRate(parsing: uplink) else { throw ValidationError("bad --uplink") }
    let settings = FleetSimulation.Settings(
      sites: sites, seed: seed, uplink: rate, dropsPerHour: dropsPerHour / 100, windows: windows,
      batchSize: batchSize, activationSeconds: activationSeconds, prestage: prestage,
      prestageWaves: prestageWaves)
    var report = try FleetSimulation.run(settings)
    if prestage { report.rebase(on: report.prestagedBound) }
    switch output {
    case .json: print(JSON.encode(SimulationText.json(report), pretty: true))
    case .table: print(SimulationText.table(report, settings: settings), terminator: "")
    }
  }
}

/// The words and layout of `wavesync simulate`'s output.
enum SimulationText {
  static func boundName(_ kind: LowerBound.Kind) -> String {
    switch kind {
    case .waves: "waves (no pre-staging, no windows)"
    case .windowAware: "window-aware waves (no pre-staging)"
    case .prestaged: "pre-staging"
    }
  }

  static func jsonName(_ kind: LowerBound.Kind) -> String {
    switch kind {
    case .waves: "waves"
    case .windowAware: "window-aware"
    case .prestaged: "prestaged"
    }
  }

  static func json(_ report: FleetSimulation.Report) -> Value {
    [
      "sites": .int(Int64(report.sites)),
      "lowerBoundSeconds": .double(rounded(report.lowerBound.seconds)),
      "lowerBound": .string(jsonName(report.lowerBound.kind)),
      "prestagedBoundSeconds": .double(rounded(report.prestagedBound.seconds)),
      "minimalBytes": .int(report.minimalBytes),
      "strategies": .array(
        report.results.map { result in
          [
            "name": .string(result.strategy.name),
            "makespanSeconds": .double(rounded(result.makespanSeconds)),
            "ratio": .double(rounded(result.ratio, places: 4)),
            "byteEfficiency": .double(rounded(result.byteEfficiency, places: 4)),
            "capViolationSeconds": .double(rounded(result.capViolationSeconds)),
            "drops": .int(Int64(result.drops)),
            "finished": .bool(result.finished),
          ]
        }),
    ]
  }

  static func table(_ report: FleetSimulation.Report, settings: FleetSimulation.Settings) -> String
  {
    var out = "Simulated rollout of \(report.sites) sites over a \(settings.uplink) uplink"
    out += settings.windows ? ", nightly windows" : ", no windows"
    if settings.prestage {
      out +=
        settings.prestageWaves == 1
        ? ", pre-staging the next wave" : ", pre-staging \(settings.prestageWaves) waves ahead"
    }
    out += ", \(percent(settings.dropsPerHour)) of links dropping an hour (seed \(settings.seed))\n"
    for wave in report.waves {
      out +=
        "  wave \(wave.name): \(wave.sites) sites, up to \(wave.cap) at once, "
        + "soak \(HistoryTable.duration(wave.soakSeconds))\n"
    }
    let gigabytes = String(format: "%.1f", Double(report.minimalBytes) / 1e9)
    out += "Minimal bytes: \(gigabytes) GB. "
    out +=
      "Lower bound (\(boundName(report.lowerBound.kind))): "
      + "\(HistoryTable.duration(report.lowerBound.seconds))"
    if report.lowerBound.kind != .prestaged {
      out += "; with pre-staging: \(HistoryTable.duration(report.prestagedBound.seconds))"
    }
    out += "\n\n"
    let rows = report.results.map { result in
      [
        result.strategy.name,
        HistoryTable.duration(result.makespanSeconds) + (result.finished ? "" : " (unfinished)"),
        String(format: "%.3f", result.ratio), String(format: "%.4f", result.byteEfficiency),
        HistoryTable.duration(result.capViolationSeconds), "\(result.drops)",
      ]
    }
    out += TextTable.render(
      header: ["STRATEGY", "MAKESPAN", "RATIO", "BYTES SENT/MINIMAL", "OVER UPLINK", "DROPS"],
      rows: rows)
    return out
  }

  static func percent(_ share: Double) -> String {
    let value = share * 100
    return (value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)) + "%"
  }

  static func rounded(_ value: Double, places: Int = 1) -> Double {
    let scale = pow(10, Double(places))
    return (value * scale).rounded() / scale
  }
}
