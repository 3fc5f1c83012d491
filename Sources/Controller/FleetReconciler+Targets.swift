public import Model
public import Rollout

extension FleetReconciler {
  /// The reconcile of the fleet `repository` describes, rolled out to `sites` by
  /// `FleetRolloutTargets`, its new images sized with `registry` (nil: of unknown size): what
  /// `wavesync controller` runs for a Fleet's spec and `wavesync rollout` for its options.
  /// Throws when `registry` cannot be used (its platform or credentials).
  public init(
    store: FleetStateStore, repository: FleetSource, sites: SiteClientCache,
    scope: LabelSelector?, registry: RegistrySettings?, urgentRevisions: [String] = [],
    settings: RolloutDriver.Settings, pollsForNewerCommits: Bool = true,
    observe: @escaping @Sendable (FleetObservation) -> Void
  ) throws(FleetConfigurationError) {
    let targets = FleetRolloutTargets(
      snapshot: { try await repository.read($0) }, client: { try sites.client(for: $0) },
      scope: scope, images: try registry?.estimator(), urgentRevisions: urgentRevisions)
    self.init(
      store: store, repository: repository, targets: targets, settings: settings,
      pollsForNewerCommits: pollsForNewerCommits, observe: observe)
  }
}
