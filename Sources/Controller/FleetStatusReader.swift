public import KubeClient
import Model

/// Reads how the fleets of one regional cluster stand, for `wavesync status`: one LIST of
/// `Fleet`s and, when sites are asked for, one LIST of `FleetSite`s per read, never a GET per
/// object. Each site's state is the one its `Fleet` committed (`FleetSiteStatus.committed(at:)`).
public struct FleetStatusReader: Sendable {
  public let client: KubeClient

  public init(client: KubeClient) { self.client = client }

  public func read(_ query: FleetStatusQuery) async throws(FleetStatusReadError)
    -> [FleetStatusEntry]
  {
    let fleets = try await list(FleetResourceNames.fleetKind, query.namespace, selector: nil)
      .filter { fleet in
        query.fleets.isEmpty
          || query.fleets.contains(fleet[path: ["metadata", "name"]]?.stringValue ?? "")
      }
    var sitesByFleet: [FleetKey: [Value]] = [:]
    if query.sites {
      // Named fleets: only their sites are listed.
      let named =
        query.fleets.isEmpty
        ? nil
        : "\(FleetResourceNames.fleetLabel) in (\(query.fleets.sorted().joined(separator: ",")))"
      let selector = [named, query.siteSelector].compactMap { $0 }.joined(separator: ",")
      let sites = try await list(
        FleetResourceNames.siteKind, query.namespace, selector: selector.isEmpty ? nil : selector)
      for site in sites {
        let fleet =
          site[path: ["metadata", "labels", FleetResourceNames.fleetLabel]]?.stringValue
          ?? site[path: ["spec", "fleet"]]?.stringValue
        guard let fleet else { continue }
        let namespace = site[path: ["metadata", "namespace"]]?.stringValue ?? ""
        sitesByFleet[FleetKey(namespace: namespace, name: fleet), default: []].append(site)
      }
    }
    return fleets.map { fleet in
      let key = FleetKey(
        namespace: fleet[path: ["metadata", "namespace"]]?.stringValue ?? "",
        name: fleet[path: ["metadata", "name"]]?.stringValue ?? "")
      var entry = FleetStatusEntry(namespace: key.namespace, name: key.name)
      if let status = fleet["status"] {
        do {
          entry.status = try StateJSON.decode(FleetStatus.self, from: status)
        } catch {
          entry.problems.append(
            "Fleet \(key.namespace)/\(key.name): the status is unreadable: \(error)")
        }
      }
      if query.sites {
        entry.sites = committedSites(
          sitesByFleet[key] ?? [], sequence: entry.status?.stateSequence ?? 0, query: query,
          problems: &entry.problems)
      }
      return entry
    }
    .sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
  }

  private struct FleetKey: Hashable {
    var namespace: String
    var name: String
  }

  /// The sites' committed states that pass the query's filters, in rollout order.
  private func committedSites(
    _ objects: [Value], sequence: Int, query: FleetStatusQuery, problems: inout [String]
  ) -> [FleetSiteEntry] {
    var sites: [FleetSiteEntry] = []
    for object in objects {
      let objectName = object[path: ["metadata", "name"]]?.stringValue ?? "?"
      let namespace = object[path: ["metadata", "namespace"]]?.stringValue ?? ""
      guard let site = object[path: ["spec", "site"]]?.stringValue,
        let statusValue = object["status"]
      else { continue }
      let status: FleetSiteStatus
      do {
        status = try StateJSON.decode(FleetSiteStatus.self, from: statusValue)
      } catch {
        problems.append("FleetSite \(namespace)/\(objectName): the status is unreadable: \(error)")
        continue
      }
      // Written for a save the Fleet never committed, with nothing before it: not there yet.
      guard let record = status.committed(at: sequence) else { continue }
      if let wave = query.wave, record.wave != wave { continue }
      if query.failingOnly, !record.isFailing { continue }
      sites.append(
        FleetSiteEntry(
          objectName: objectName, site: site, record: record,
          uncommitted: status.state.sequence > sequence))
    }
    return sites.sorted {
      ($0.record.waveIndex ?? Int.max, $0.record.position ?? Int.max, $0.site)
        < ($1.record.waveIndex ?? Int.max, $1.record.position ?? Int.max, $1.site)
    }
  }

  private func list(_ kind: String, _ namespace: String?, selector: String?)
    async throws(FleetStatusReadError) -> [Value]
  {
    do {
      return try await client.list(
        apiVersion: FleetResourceNames.apiVersion, kind: kind, namespace: namespace,
        labelSelector: selector)
    } catch {
      throw FleetStatusReadError(error)
    }
  }
}

/// What `FleetStatusReader.read` reads.
public struct FleetStatusQuery: Sendable, Hashable {
  /// nil: every namespace.
  public var namespace: String?
  /// Whether to read the fleets' sites too.
  public var sites: Bool
  /// A label selector on the `FleetSite`s, e.g. `wavesync.io/wave=canary`.
  public var siteSelector: String?
  /// Only the sites whose committed state is in this wave.
  public var wave: String?
  /// Only the sites whose committed state is failed.
  public var failingOnly: Bool
  /// Only these fleets (by name); empty: every fleet.
  public var fleets: [String]

  public init(
    namespace: String?, sites: Bool = false, siteSelector: String? = nil, wave: String? = nil,
    failingOnly: Bool = false, fleets: [String] = []
  ) {
    self.fleets = fleets
    self.namespace = namespace
    self.sites = sites
    self.siteSelector = siteSelector
    self.wave = wave
    self.failingOnly = failingOnly
  }
}

/// One `Fleet` as read.
public struct FleetStatusEntry: Sendable, Hashable {
  public var namespace: String
  public var name: String
  /// nil until a controller or `wavesync rollout` wrote one.
  public var status: FleetStatus?
  /// The sites that pass the query's filters; nil when sites were not read.
  public var sites: [FleetSiteEntry]?
  /// Objects whose status could not be read, named.
  public var problems: [String] = []

  public init(namespace: String, name: String) {
    self.namespace = namespace
    self.name = name
  }

  /// Stalled (`Stalled=True`), a site failing, or a status that could not be read: the fleet
  /// needs a person.
  public var needsAttention: Bool {
    if !problems.isEmpty { return true }
    if status?.condition(FleetConditionType.stalled)?.status == "True" { return true }
    if (status?.sites.failing ?? 0) > 0 { return true }
    return sites?.contains { $0.record.isFailing } ?? false
  }
}

/// One site of a fleet, as its `Fleet` committed it.
public struct FleetSiteEntry: Sendable, Hashable {
  /// The `FleetSite`'s name.
  public var objectName: String
  /// The site's name in the repository.
  public var site: String
  public var record: SiteRecord
  /// A newer state was written that the `Fleet` did not commit (yet): `record` is the one before.
  public var uncommitted: Bool

  public init(objectName: String, site: String, record: SiteRecord, uncommitted: Bool) {
    self.objectName = objectName
    self.site = site
    self.record = record
    self.uncommitted = uncommitted
  }
}

extension SiteRecord {
  public var isFailing: Bool { phase == "Failed" }
}

/// Why a regional cluster's fleets could not be read.
public enum FleetStatusReadError: Error, Sendable, Hashable, CustomStringConvertible {
  /// No answer: down, refused, timed out.
  case unreachable(String)
  /// The cluster answers but does not serve `Fleet`s: `wavesync install` was never run there.
  case notInstalled(String)
  /// Any other error (forbidden, a server error, ...).
  case failed(String)

  init(_ error: KubeError) {
    if let reason = Unreachability.reason(error) {
      self = .unreachable(reason)
    } else if case .unknownKind = error {
      self = .notInstalled(error.description)
    } else {
      self = .failed(error.description)
    }
  }

  public var description: String {
    switch self {
    case .unreachable(let message), .notInstalled(let message), .failed(let message): message
    }
  }
}
