import ArgumentParser
import Controller
import Foundation
import KubeClient
import Logging
import Model

struct StatusCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "Show how the fleets of one or more regional clusters stand.",
    discussion: """
      Reads the Fleet and FleetSite objects of each regional cluster (--context, repeated, or \
      --all-contexts; the current context by default) and prints a row per fleet and region. \
      Exits 0 when all is well, 5 when a fleet is stalled, a site is failing, or a region \
      could not be read (a region without Wavesync's resources is shown, not counted).
      """)

  @Option(name: .long, help: "Kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).")
  var kubeconfig: String?

  @Option(
    name: .long,
    help: "Kubeconfig context of a regional cluster; repeat for several (default: the current one)."
  )
  var context: [String] = []

  @Flag(name: .long, help: "Read every context of the kubeconfig.")
  var allContexts = false

  @Option(name: [.short, .long], help: "Namespace of the Fleets.")
  var namespace = FleetResourceNames.defaultNamespace

  @Flag(name: [.customShort("A"), .long], help: "Read the Fleets of every namespace.")
  var allNamespaces = false

  @Option(name: .long, help: "Only this Fleet (repeat for several; default: every Fleet).")
  var fleet: [String] = []

  @Flag(name: .long, help: "Add a row per site (implied by --selector, --wave and --failing).")
  var sites = false

  @Option(
    name: [.customShort("l"), .long],
    help: "Only the sites whose FleetSite labels match, e.g. wavesync.io/wave=canary.")
  var selector: String?

  @Option(name: .long, help: "Only the sites of this wave.")
  var wave: String?

  @Flag(name: .long, help: "Only the failing sites.")
  var failing = false

  @Option(name: [.short, .long], help: "Output format: table, wide, json or yaml.")
  var output: StatusFormat = .table

  @Flag(name: [.short, .long], help: "Read again every --watch-interval and redraw on change.")
  var watch = false

  @Option(name: .long, help: "Seconds between reads with --watch.")
  var watchInterval = 2.0

  @Option(
    name: .long, help: ArgumentHelp("Stop --watch after this many reads.", visibility: .hidden))
  var watchCount: Int?

  @Option(name: .long, help: "Seconds one request to a cluster may take, per try.")
  var requestTimeout = 10.0

  func validate() throws {
    if allContexts && !context.isEmpty {
      throw ValidationError("give --context or --all-contexts, not both")
    }
    if let selector {
      do {
        _ = try LabelSelector(parsing: selector)
      } catch {
        throw ValidationError("--selector: \(error)")
      }
    }
    guard watchInterval > 0, requestTimeout > 0 else {
      throw ValidationError("--watch-interval and --request-timeout must be more than 0")
    }
    if let watchCount, watchCount < 1 { throw ValidationError("--watch-count must be at least 1") }
  }

  func run() async throws {
    try await Wavesync.exitCodes {
      let config = try ClusterOptions.loadKubeconfig(kubeconfig)
      let regions = try connections(config)
      let query = FleetStatusQuery(
        namespace: allNamespaces ? nil : namespace,
        sites: sites || selector != nil || wave != nil || failing, siteSelector: selector,
        wave: wave, failingOnly: failing, fleets: fleet)
      let layout = StatusLayout(format: output, allNamespaces: allNamespaces)
      var report = await read(regions, query)
      StatusLayout.write(try layout.render(report, at: Date()))
      if watch {
        // Bounded by --watch-count reads (for tests); otherwise until interrupted.
        var reads = 1
        while watchCount.map({ reads < $0 }) ?? true {
          try await Task.sleep(for: .seconds(watchInterval))
          let next = await read(regions, query)
          reads += 1
          // What was read, not the text: GIT OFFLINE counts up by itself.
          guard next != report else { continue }
          report = next
          let text = try layout.render(report, at: Date())
          StatusLayout.write((layout.clearsScreen ? StatusLayout.clearScreen : "\n") + text)
        }
      }
      if !report.allWell { throw ExitCode(5) }
    }
  }

  /// Each region's cluster, in the order given. A context the kubeconfig cannot connect
  /// (a missing file, an exec plugin) is a region that cannot be read, not the end.
  private func connections(_ config: Kubeconfig) throws -> [Region] {
    let names: [String]
    if allContexts {
      names = config.contextNames
    } else if context.isEmpty {
      guard let current = config.currentContext else {
        throw UserError("the kubeconfig has no current context: give --context or --all-contexts")
      }
      names = [current]
    } else {
      names = context
      for name in names where !config.contextNames.contains(name) {
        throw UserError(
          "context \"\(name)\" is not defined in the kubeconfig "
            + "(defined: \(config.contextNames.joined(separator: ", ")))")
      }
    }
    return names.map { name in
      do {
        return (
          name,
          .success(
            KubeClient(
              connection: try config.connection(context: name), timeoutSeconds: requestTimeout,
              logger: quietLogger))
        )
      } catch {
        return (name, .failure(.failed("\(error)")))
      }
    }
  }

  /// Retries of a region that does not answer are not news: its row says it is unreachable.
  private var quietLogger: Logger {
    var logger = Logger(label: "wavesync.kube")
    logger.logLevel = .warning
    return logger
  }

  /// A context and its client, or why there is none.
  private typealias Region = (context: String, client: Result<KubeClient, FleetStatusReadError>)

  /// Reads every region at once; each region's outcome is its own.
  private func read(_ regions: [Region], _ query: FleetStatusQuery) async -> StatusReport {
    await withTaskGroup(of: (Int, StatusReport.Region).self) { group in
      for (index, (context, client)) in regions.enumerated() {
        group.addTask {
          let outcome: Result<[FleetStatusEntry], FleetStatusReadError>
          switch client {
          case .success(let client):
            do throws(FleetStatusReadError) {
              outcome = .success(try await FleetStatusReader(client: client).read(query))
            } catch {
              outcome = .failure(error)
            }
          case .failure(let error):
            outcome = .failure(error)
          }
          return (
            index,
            StatusReport.Region(context: context, namespace: query.namespace, outcome: outcome)
          )
        }
      }
      var regions: [(Int, StatusReport.Region)] = []
      for await region in group { regions.append(region) }
      return StatusReport(regions: regions.sorted { $0.0 < $1.0 }.map(\.1))
    }
  }
}

enum StatusFormat: String, ExpressibleByArgument, CaseIterable {
  case table, wide, json, yaml

  var isText: Bool { self == .table || self == .wide }
}
