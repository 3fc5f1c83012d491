public import KubeClient
public import ServiceLifecycle

/// Runs one reconcile (a `FleetService`) per `Fleet` of a namespace for as long as the controller
/// runs, so a controller installed before any Fleet exists waits for them instead of exiting.
///
/// The Fleets are listed at start and every `scanInterval`. A Fleet that appears gets its
/// reconcile; a reconcile ends by itself when its Fleet is deleted, and a Fleet created again
/// under that name gets a new one at the next scan. With `only`, other Fleets are left alone. A
/// list that fails (API server down, definitions not installed, forbidden) is reported when its
/// message changes and tried again at the next scan; the reconciles already running go on. A
/// graceful shutdown cancels every reconcile (each lets go of its Lease) and the scans.
public struct FleetSupervisor: Service {
  public typealias ListFleets = @Sendable () async throws -> [String]
  public typealias RunFleet = @Sendable (_ fleet: String) async -> Void

  public let scanInterval: Duration
  /// The names of the Fleets to reconcile; nil: every Fleet listed.
  public let only: Set<String>?
  private let listFleets: ListFleets
  private let runFleet: RunFleet
  private let observe: @Sendable (FleetSupervisorEvent) -> Void

  public init(
    scanInterval: Duration = .seconds(10), only: Set<String>? = nil,
    listFleets: @escaping ListFleets, runFleet: @escaping RunFleet,
    observe: @escaping @Sendable (FleetSupervisorEvent) -> Void = { _ in }
  ) {
    self.scanInterval = scanInterval
    self.only = only
    self.listFleets = listFleets
    self.runFleet = runFleet
    self.observe = observe
  }

  /// The names of the Fleets in `namespace`; a cluster without Wavesync's definitions is
  /// `FleetStateStoreError.notInstalled`.
  public static func fleetNames(in namespace: String, client: KubeClient) -> ListFleets {
    {
      do {
        return try await client.list(
          apiVersion: FleetResourceNames.apiVersion, kind: FleetResourceNames.fleetKind,
          namespace: namespace
        ).compactMap { $0[path: ["metadata", "name"]]?.stringValue }
      } catch let error as KubeError {
        if case .unknownKind = error { throw FleetStateStoreError.notInstalled(error.description) }
        throw error
      }
    }
  }

  public func run() async {
    await cancelWhenGracefulShutdown {
      // Children: one reconcile per Fleet (returning its name when it ends) and one timer
      // (returning nil) for the next scan.
      await withTaskGroup(of: String?.self) { group in
        var running = Set<String>()
        var scan = Scan()
        while true {
          await scan.once(self, running: &running, group: &group)
          let scanInterval = scanInterval
          group.addTask {
            // Cancellation only ends the wait early; the loop below sees it.
            try? await Task.sleep(for: scanInterval)
            return nil
          }
          while let ended = await group.next() {
            guard let fleet = ended else { break }
            running.remove(fleet)
            observe(.ended(fleet))
          }
          if Task.isCancelled {
            group.cancelAll()
            return
          }
        }
      }
    }
  }

  /// What one scan remembers of the last, so a failure or a missing Fleet is reported once.
  private struct Scan {
    var lastFailure: String? = nil
    var lastMissing: [String] = []

    mutating func once(
      _ supervisor: FleetSupervisor, running: inout Set<String>,
      group: inout TaskGroup<String?>
    ) async {
      let observe = supervisor.observe
      let listed: Set<String>
      do {
        listed = Set(try await supervisor.listFleets())
      } catch {
        // A list cut short by the shutdown is not a failure to report.
        if Task.isCancelled { return }
        let message = "\(error)"
        if message != lastFailure {
          var notInstalled = false
          if case .notInstalled = error as? FleetStateStoreError { notInstalled = true }
          observe(.listFailed(message, notInstalled: notInstalled))
        }
        lastFailure = message
        return
      }
      lastFailure = nil
      let missing = supervisor.only.map { $0.subtracting(listed).sorted() } ?? []
      if missing != lastMissing, !missing.isEmpty { observe(.awaiting(missing)) }
      lastMissing = missing
      let runFleet = supervisor.runFleet
      for fleet in listed.filter({ supervisor.only?.contains($0) ?? true }).sorted() {
        guard running.insert(fleet).inserted else { continue }
        observe(.started(fleet))
        group.addTask {
          await runFleet(fleet)
          return fleet
        }
      }
    }
  }
}

/// What a `FleetSupervisor` reports, for the controller's log.
public enum FleetSupervisorEvent: Sendable, Equatable {
  /// A Fleet's reconcile started.
  case started(String)
  /// A Fleet's reconcile ended: the Fleet was deleted, or the controller stops.
  case ended(String)
  /// Fleets named with `only` that do not exist (yet).
  case awaiting([String])
  /// The Fleets could not be listed (`notInstalled`: the cluster does not serve them); tried
  /// again at the next scan.
  case listFailed(String, notInstalled: Bool)
}
