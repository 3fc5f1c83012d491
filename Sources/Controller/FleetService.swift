public import Foundation
public import KubeClient
public import Rollout
public import ServiceLifecycle

/// Runs one `Fleet`'s reconcile for as long as the controller runs: once at start, then every
/// `spec.source.pollInterval`, while this replica holds the Fleet's Lease (`LeaderElector`);
/// other replicas wait and take over when it stops renewing. A graceful shutdown (SIGTERM)
/// cancels the step in flight and lets go of the Lease: the rollout state is stored before every
/// step, so the next leader resumes it. Leadership lost mid-rollout stops the reconcile and
/// campaigns again. The service returns when its `Fleet` is deleted.
public struct FleetService: Service {
  public let namespace: String
  public let name: String
  public let regional: KubeClient
  public let cacheRoot: URL
  /// Where the Secrets' files (kubeconfig, SSH keys) are written for the libraries to read.
  public let workDirectory: URL
  public let settings: RolloutDriver.Settings
  /// How long to wait before trying again after the Fleet itself could not be read.
  public let retryInterval: Duration
  /// This replica's name in the Lease.
  public let identity: String
  public let leaderElection: LeaderElectionTiming
  private let observe: @Sendable (FleetServiceEvent) -> Void

  public init(
    namespace: String, name: String, regional: KubeClient, cacheRoot: URL, workDirectory: URL,
    settings: RolloutDriver.Settings = .init(), retryInterval: Duration = .seconds(10),
    identity: String = LeaderElector.defaultIdentity(),
    leaderElection: LeaderElectionTiming = .standard,
    observe: @escaping @Sendable (FleetServiceEvent) -> Void
  ) {
    self.namespace = namespace
    self.name = name
    self.regional = regional
    self.cacheRoot = cacheRoot
    self.workDirectory = workDirectory
    self.settings = settings
    self.retryInterval = retryInterval
    self.identity = identity
    self.leaderElection = leaderElection
    self.observe = observe
  }

  public func run() async {
    let observe = observe
    let elector = LeaderElector(
      client: regional, namespace: namespace, name: LeaderElector.leaseName(fleet: name),
      identity: identity, timing: leaderElection, report: { observe(.leaderElection($0)) })
    await cancelWhenGracefulShutdown {
      while !Task.isCancelled {
        do {
          try await elector.runWhileLeader { await self.reconcileUntilCancelled() }
          return
        } catch is CancellationError {
          return
        } catch let error as LeaderElectionError {
          if case .unusable = error {
            observe(.failed(reason: .fleetUnreadable, message: error.description))
          }
          // Lost: campaign again (the Lease may come back to this replica).
          do { try await Task.sleep(for: self.retryInterval) } catch { return }
        } catch {
          observe(.failed(reason: .fleetUnreadable, message: "\(error)"))
          do { try await Task.sleep(for: self.retryInterval) } catch { return }
        }
      }
    }
    observe(.stopped)
  }

  private func reconcileUntilCancelled() async {
    let store = FleetStateStore(client: regional, namespace: namespace, fleet: name)
    var current: (fingerprint: String, reconciler: FleetReconciler)? = nil
    while !Task.isCancelled {
      var wait = retryInterval
      do {
        let fleet = try await store.refresh()
        let configuration = try await FleetConfiguration.read(
          fleet, client: regional, cacheRoot: cacheRoot, workDirectory: workDirectory)
        wait = configuration.pollInterval
        if current?.fingerprint != configuration.fingerprint {
          current = (configuration.fingerprint, try reconciler(configuration, store: store))
        }
        let outcome = await current!.reconciler.reconcile()
        observe(.reconciled(outcome))
        if outcome == .stopped { return }
      } catch FleetStateStoreError.noFleet {
        observe(.fleetGone)
        return
      } catch let error as FleetConfigurationError {
        observe(.failed(reason: .configInvalid, message: error.description))
        await report(.configInvalid, error.description, store: store)
      } catch {
        observe(.failed(reason: .fleetUnreadable, message: "\(error)"))
      }
      do {
        try await Task.sleep(for: wait)
      } catch {
        return
      }
    }
  }

  private func reconciler(_ configuration: FleetConfiguration, store: FleetStateStore)
    throws(FleetConfigurationError) -> FleetReconciler
  {
    var settings = settings
    settings.revisionPollInterval = configuration.pollInterval
    let observe = observe
    return try FleetReconciler(
      store: store, repository: configuration.repository,
      sites: SiteClientCache(kubeconfig: configuration.kubeconfig), scope: configuration.scope,
      registry: configuration.registry, urgentRevisions: configuration.urgentRevisions,
      settings: settings, observe: { observe(.reconcile($0)) })
  }

  private func report(_ failure: ReconcileFailure, _ message: String, store: FleetStateStore)
    async
  {
    let conditions = FleetConditions.after(
      .failed(reason: failure, message: message), generation: nil, at: Date())
    do {
      try await store.updateStatus { status in
        for condition in conditions { status.set(condition) }
        status.set(
          FleetCondition(
            type: FleetConditionType.stalled, status: true, reason: failure.rawValue,
            message: message, observedGeneration: status.observedGeneration, at: Date()))
      }
    } catch {
      observe(.reconcile(.statusUnwritten("\(error)")))
    }
  }
}

/// What a `FleetService` reports, for the controller's log.
public enum FleetServiceEvent: Sendable {
  case reconciled(ReconcileOutcome)
  case reconcile(FleetObservation)
  /// The Fleet or its configuration could not be read; tried again later.
  case failed(reason: ReconcileFailure, message: String)
  case leaderElection(LeaderElectionEvent)
  case fleetGone
  case stopped
}
