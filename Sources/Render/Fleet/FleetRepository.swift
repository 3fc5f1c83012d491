public import Model

/// A fleet repository read from one revision: `fleet.yaml`, the sites and the apps.
/// Loading checks every file; one broken file fails the whole revision.
public struct FleetRepository: Sendable {
  public var name: String
  public var sites: [Site]
  public var apps: [AppDefinition]
  public var rollout: RolloutPolicy

  public init(name: String, sites: [Site], apps: [AppDefinition], rollout: RolloutPolicy) {
    self.name = name
    self.sites = sites
    self.apps = apps
    self.rollout = rollout
  }

  public static let fleetFile = "fleet.yaml"

  public static func load(from tree: any FileTree) throws(RenderError) -> FleetRepository {
    guard let text = try read(fleetFile, in: tree) else {
      throw RenderError(
        file: fleetFile, message: "not found: a fleet repository has fleet.yaml at its root")
    }
    let fleet = try DocumentReader.single(text, file: fleetFile)
    try fleet.expectKind("Fleet")
    try fleet.onlyFields("", ["apiVersion", "kind", "metadata", "spec"])
    try fleet.onlyFields("/spec", ["sitesDir", "appsDir", "rollout"])
    let sitesDir = FilePath.normalize(try fleet.string("/spec/sitesDir") ?? "sites")
    let appsDir = FilePath.normalize(try fleet.string("/spec/appsDir") ?? "apps")
    let sites = try loadSites(in: sitesDir, tree: tree)
    let apps = try loadApps(in: appsDir, tree: tree)
    return FleetRepository(
      name: try fleet.requiredString("/metadata/name"), sites: sites, apps: apps,
      rollout: try RolloutPolicy.read(fleet, at: "/spec/rollout"))
  }

  public func site(named name: String) -> Site? { sites.first { $0.name == name } }

  private static func loadSites(in directory: String, tree: any FileTree) throws(RenderError)
    -> [Site]
  {
    var sites: [Site] = []
    for file in try yamlFiles(in: directory, tree: tree) {
      guard let text = try read(file, in: tree) else { continue }
      let reader = try DocumentReader.single(text, file: file)
      switch reader.value("/kind")?.stringValue {
      case "Site":
        try reader.expectKind("Site")
        sites.append(try Site.read(reader, at: ""))
      case "SiteList":
        try reader.expectKind("SiteList")
        try reader.onlyFields("", ["apiVersion", "kind", "metadata", "items"])
        for index in try reader.list("/items").indices {
          let at = "/items/\(index)"
          guard reader.value(at + "/kind")?.stringValue ?? "Site" == "Site" else {
            throw reader.fail(at + "/kind", "SiteList items must be of kind Site")
          }
          sites.append(try Site.read(reader, at: at))
        }
      default:
        throw reader.fail("/kind", "expected kind Site or SiteList")
      }
    }
    var seen: [String: String] = [:]
    for site in sites {
      if let other = seen[site.name] {
        throw RenderError(
          file: site.file, message: "site \(site.name) is defined twice (also in \(other))")
      }
      seen[site.name] = site.file
    }
    return sites.sorted { $0.name < $1.name }
  }

  private static func loadApps(in directory: String, tree: any FileTree) throws(RenderError)
    -> [AppDefinition]
  {
    var apps: [AppDefinition] = []
    for entry in try entries(of: directory, tree: tree) where entry.kind == .directory {
      let appDirectory = FilePath.join(directory, entry.name)
      let file = FilePath.join(appDirectory, "app.yaml")
      guard let text = try read(file, in: tree) else {
        throw RenderError(file: appDirectory, message: "app folder has no app.yaml")
      }
      let reader = try DocumentReader.single(text, file: file)
      let app = try AppDefinition.read(reader, directory: appDirectory)
      try requireExists(app.basePath, at: "/spec/path", directory: false, reader, tree)
      for (index, component) in app.components.enumerated() {
        try requireExists(
          component.path, at: "/spec/components/\(index)/path", directory: true, reader, tree)
      }
      apps.append(app)
    }
    return apps
  }

  /// An app's path must be there when the app is loaded; the error points at the line naming it.
  private static func requireExists(
    _ path: String, at pointer: String, directory: Bool, _ reader: DocumentReader,
    _ tree: any FileTree
  ) throws(RenderError) {
    let found: Bool
    do {
      found = try tree.isDirectory(path) || (!directory && tree.isFile(path))
    } catch {
      throw reader.fail(pointer, "\(error)")
    }
    guard found else {
      throw reader.fail(pointer, directory ? "directory \(path) not found" : "\(path) not found")
    }
  }

  private static func yamlFiles(in directory: String, tree: any FileTree) throws(RenderError)
    -> [String]
  {
    try entries(of: directory, tree: tree)
      .filter { $0.kind == .file && ($0.name.hasSuffix(".yaml") || $0.name.hasSuffix(".yml")) }
      .map { FilePath.join(directory, $0.name) }
  }

  private static func entries(of directory: String, tree: any FileTree) throws(RenderError)
    -> [FileTreeEntry]
  {
    do {
      guard let entries = try tree.entries(of: directory) else {
        throw RenderError(file: directory, message: "directory not found")
      }
      return entries
    } catch let error as RenderError {
      throw error
    } catch {
      throw RenderError.reading(directory, error)
    }
  }

  static func read(_ path: String, in tree: any FileTree) throws(RenderError) -> String? {
    do {
      return try tree.text(of: path)
    } catch {
      throw RenderError.reading(path, error)
    }
  }
}
