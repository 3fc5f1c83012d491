public import GitSource
public import KubeClient
public import Model
import Registry
import Render
public import Rollout
import Sync
import Synchronization

/// The fleet as the rollout driver sees it: revisions read from Git and rendered with the same
/// code as `wavesync render`, applied with Sync, and checked with Health.
public final class FleetRolloutTargets: RolloutTargets {
  /// The files of a commit (from the Git cache: no fetch).
  public typealias SnapshotReader = @Sendable (String) async throws -> Snapshot
  /// The client of a site's cluster.
  public typealias ClientFactory = @Sendable (Site) throws -> KubeClient

  private let snapshot: SnapshotReader
  private let client: ClientFactory
  private let fieldManager: String
  /// The sites this controller rolls out to (a region's share of the fleet); nil for all.
  private let scope: LabelSelector?
  /// Sizes image layers for payload estimates; nil when no registry is configured.
  private let images: (any ImagePayloadEstimating)?
  /// Revisions the Fleet's spec marks urgent (full ids or prefixes of at least 7 digits).
  private let urgentRevisions: [String]
  /// How long and how often pre-staging waits for a site's nodes.
  private let prestaging: ImagePrestager.Settings
  /// Renders of revisions, most recent last: a rollout and its rollbacks need two. A render in
  /// flight is shared: callers that ask for the same revision wait for the one render.
  private let renders = Mutex<[(revision: String, render: Task<RenderedRevision, any Error>)]>([])
  private static let renderedLimit = 4

  public init(
    snapshot: @escaping SnapshotReader, client: @escaping ClientFactory,
    scope: LabelSelector? = nil, images: (any ImagePayloadEstimating)? = nil,
    urgentRevisions: [String] = [], prestaging: ImagePrestager.Settings = .init(),
    fieldManager: String = "wavesync"
  ) {
    self.snapshot = snapshot
    self.client = client
    self.scope = scope
    self.images = images
    self.urgentRevisions = urgentRevisions
    self.prestaging = prestaging
    self.fieldManager = fieldManager
  }

  public func prepare(revision: String) async throws -> PreparedRevision {
    let rendered = try await render(revision)
    return PreparedRevision(
      revision: rendered.revision, sites: rendered.sites.map(\.site),
      policy: rendered.fleet.rollout,
      urgent: rendered.urgentByTrailer
        || UrgentRevision.listed(rendered.revision, in: urgentRevisions))
  }

  public func payloads(of revision: String, replacing running: String?, behind: Set<String>)
    async -> PayloadEstimates
  {
    let new: RenderedRevision
    do {
      new = try await render(revision)
    } catch {
      return PayloadEstimates()
    }
    // What runs now, as far as the record knows; unreadable means every object and image counts.
    var current: RenderedRevision? = nil
    if let running {
      do { current = try await render(running) } catch { current = nil }
    }
    var imageBytes: [[String]: PayloadEstimate] = [:]
    var estimates = PayloadEstimates()
    for site in new.sites {
      let name = site.site.name
      let before = behind.contains(name) ? nil : current?.site(named: name)
      let running = before?.images ?? []
      var bytes = SitePayloads.manifestBytes(new: site, current: before)
      if site.images.contains(where: { !running.contains($0) }) {
        guard let images else {
          estimates.unknown[name] =
            "no registry to size new images (neither spec.registry nor --registry is set)"
          continue
        }
        // Sites running the same images need the same layers: one estimate for all of them.
        let key = site.images + ["|"] + running
        let layers: PayloadEstimate
        if let known = imageBytes[key] {
          layers = known
        } else {
          layers = await images.estimate(newImages: site.images, currentImages: running)
          imageBytes[key] = layers
        }
        switch layers {
        case .bytes(let count): bytes += count
        case .unknown(let reason):
          estimates.unknown[name] = reason
          continue
        }
      }
      estimates.bytes[name] = bytes
    }
    return estimates
  }

  public func apply(revision: String, to siteName: String) async -> SiteOperationOutcome {
    let site: RenderedSite
    switch await renderedSite(siteName, at: revision) {
    case .success(let found): site = found
    case .failure(let refusal): return .failed(refusal.reason)
    }
    do {
      let sync = SiteSync(
        site: siteName, client: try client(site.site), fieldManager: fieldManager)
      let plan = try await sync.plan(
        site.apps.map { DesiredApp(name: $0.name, objects: $0.objects) }, revision: revision,
        prune: true)
      _ = try await sync.apply(plan)
      return .done
    } catch {
      if let reason = Unreachability.reason(error) { return .unreachable(reason) }
      if let error = error as? SyncError { return .failed(error.description) }
      return .failed("site \(siteName): \(error)")
    }
  }

  /// Makes the site's nodes pull the images `revision` runs there (`ImagePrestager`), given the
  /// time `payloadBytes` take over the site's downlink on top of the configured timeout.
  public func prestage(revision: String, to siteName: String, payloadBytes: Int64?) async
    -> SiteOperationOutcome
  {
    let site: RenderedSite
    switch await renderedSite(siteName, at: revision) {
    case .success(let found): site = found
    case .failure(let refusal): return .failed(refusal.reason)
    }
    let siteClient: KubeClient
    do {
      siteClient = try client(site.site)
    } catch {
      return .failed("site \(siteName): \(error)")
    }
    let settings = prestaging.allowing(payloadBytes, over: site.site.downlink)
    return await ImagePrestager(site: siteName, client: siteClient, settings: settings)
      .prestage(site.images)
  }

  public func health(of siteName: String, at revision: String) async -> SiteHealthReport {
    let site: Site
    do {
      guard let found = try await render(revision).site(named: siteName)?.site else {
        return .health(
          .init(
            status: .unknown, reason: "UnknownSite",
            message: "site \(siteName) is not defined at revision \(revision)"))
      }
      site = found
    } catch {
      return .health(.init(status: .unknown, reason: "RenderFailed", message: "\(error)"))
    }
    do {
      let (health, pulled) = try await SiteHealthReader(site: siteName, client: try client(site))
        .read(revision: revision)
      return .health(health, imagesPulled: pulled)
    } catch {
      if let reason = Unreachability.reason(error) { return .unreachable(reason) }
      return .health(.init(status: .unknown, reason: "HealthUnreadable", message: "\(error)"))
    }
  }

  private struct SiteRefusal: Error {
    var reason: String
  }

  /// `siteName` as `revision` renders it, or why it cannot be had.
  private func renderedSite(
    _ siteName: String, at revision: String
  ) async -> Result<RenderedSite, SiteRefusal> {
    let rendered: RenderedRevision
    do {
      rendered = try await render(revision)
    } catch {
      return .failure(SiteRefusal(reason: "revision \(revision) cannot be rendered: \(error)"))
    }
    guard let site = rendered.site(named: siteName) else {
      return .failure(
        SiteRefusal(reason: "site \(siteName) is not defined at revision \(revision)"))
    }
    return .success(site)
  }

  /// The revision's fleet and every site rendered: from the cache, from a render in flight,
  /// or read and rendered now. A failed render is forgotten, so a later call tries again.
  private func render(_ revision: String) async throws -> RenderedRevision {
    let render = renders.withLock { cache in
      if let found = cache.first(where: { $0.revision == revision }) { return found.render }
      let render = Task { try await self.renderNow(revision) }
      cache.append((revision, render))
      if cache.count > Self.renderedLimit { cache.removeFirst(cache.count - Self.renderedLimit) }
      return render
    }
    do {
      return try await render.value
    } catch {
      renders.withLock { cache in cache.removeAll { $0.render == render } }
      throw error
    }
  }

  private func renderNow(_ revision: String) async throws -> RenderedRevision {
    let files = try await snapshot(revision)
    let scope = scope
    return try await offCooperativePool {
      let fleet = try FleetRepository.load(from: files.tree)
      // Only this controller's sites: another region's broken overlay is that region's problem.
      let renderer = SiteRenderer(repository: fleet, tree: files.tree)
      let sites = try fleet.sites.filter { scope?.matches($0.labels) ?? true }.map { site in
        try renderer.render(site)
      }
      return RenderedRevision(
        revision: files.revision, fleet: fleet, sites: sites,
        urgentByTrailer: files.commit.map { UrgentRevision.hasTrailer($0.message) } ?? false)
    }
  }
}

private struct RenderedRevision: Sendable {
  var revision: String
  var fleet: FleetRepository
  /// The sites in scope, in repository order.
  var sites: [RenderedSite]
  /// The commit message says `Wavesync-Urgent: true`.
  var urgentByTrailer: Bool

  func site(named name: String) -> RenderedSite? { sites.first { $0.site.name == name } }
}
