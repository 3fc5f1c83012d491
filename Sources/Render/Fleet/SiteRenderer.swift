internal import Crypto
public import Model
import Synchronization

/// What one site should run at one revision.
public struct RenderedSite: Sendable {
  public struct App: Sendable {
    public var name: String
    /// The components this site got, in order.
    public var components: [String]
    public var objects: [Value]
  }

  public var site: Site
  public var apps: [App]
  /// All objects of all apps, apps in name order, each app in kustomize's order.
  public var objects: [Value] { apps.flatMap(\.objects) }
  /// SHA-256 of the rendered manifests: equal hashes, equal manifests.
  public var contentHash: String

  /// The manifests as a YAML stream, keys sorted as `kubectl kustomize` prints them.
  public var yaml: String { YAML.emit(objects, sortKeys: true) }
}

/// Renders sites of a fleet repository: for each app that the site gets, a kustomize build of the
/// base plus the matching components, then substitution, then placement.
public struct SiteRenderer: Sendable {
  public let repository: FleetRepository
  public let tree: any FileTree
  public let limits: RepositoryLimits
  /// Kustomize builds by app and components, shared by every site this renderer renders: sites
  /// that get an app with the same components get one build, before their own substitution.
  private let builds = KustomizeBuilds()

  public init(repository: FleetRepository, tree: any FileTree, limits: RepositoryLimits = .default)
  {
    self.repository = repository
    self.tree = tree
    self.limits = limits
  }

  /// Every site; the first broken site stops the whole render (nothing partial is returned).
  public func renderAll() throws(RenderError) -> [RenderedSite] {
    try repository.sites.map { site throws(RenderError) in try render(site) }
  }

  public func render(_ site: Site) throws(RenderError) -> RenderedSite {
    var apps: [RenderedSite.App] = []
    var owners: [ObjectIdentity: String] = [:]
    // Each object's YAML, as YAML.emit writes it, counted as it comes so that an oversized site
    // stops at the limit instead of after everything has been written out.
    var documents: [String] = []
    var renderedBytes = 0
    var substitutionBudget = limits.renderedBytesPerSite
    for app in repository.apps where app.sites.matches(site.labels) {
      let components = app.components(for: site.labels)
      let built = try build(app, components: components)
      let substitution = Substitution(site: site, app: app)
      var objects: [Value] = []
      for object in built {
        let id = try Self.identity(of: object)
        let substituted = try substitute(
          object, substitution, budget: &substitutionBudget, app: app, site: site, id: id)
        guard
          let placed = try Placement.place(
            substituted, on: site, file: app.file, objectLabel: id.description)
        else { continue }
        if let other = owners[id] {
          throw RenderError(
            file: app.file, object: id.description,
            message: "site \(site.name) gets this object from both app \(other) and app \(app.name)"
          )
        }
        owners[id] = app.name
        let document = YAML.emit(placed, sortKeys: true)
        renderedBytes += document.utf8.count + (documents.isEmpty ? 0 : 4)
        guard renderedBytes <= limits.renderedBytesPerSite else {
          throw RenderError(
            file: app.file, object: id.description,
            message:
              "site \(site.name): the rendered manifests pass the limit of \(limits.renderedBytesPerSite) bytes per site here"
          )
        }
        documents.append(document)
        objects.append(placed)
      }
      apps.append(.init(name: app.name, components: components.map(\.name), objects: objects))
    }
    let yaml = documents.joined(separator: "---\n")
    let hash = SHA256.hash(data: Array(yaml.utf8)).map { String($0, radix: 16).leftPadded(to: 2) }
      .joined()
    return RenderedSite(site: site, apps: apps, contentHash: "sha256:" + hash)
  }

  private func build(_ app: AppDefinition, components: [AppDefinition.Component])
    throws(RenderError) -> [Value]
  {
    let key = KustomizeBuilds.Key(app: app.name, components: components.map(\.name))
    if let built = builds.objects(for: key) { return built }
    let kustomization: Value = [
      "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
      "resources": [.string(FilePath.relative(from: app.directory, to: app.basePath))],
      "components": .array(
        components.map { .string(FilePath.relative(from: app.directory, to: $0.path)) }),
    ]
    let built = try KustomizeBuilder(tree: tree).build(
      kustomization: kustomization, file: app.file)
    builds.keep(built, for: key)
    return built
  }

  /// Substitutes inside string values only: a substituted value stays a string (`"0142"` never
  /// turns into a number), and keys and structure cannot be changed by a variable.
  private func substitute(
    _ object: Value, _ substitution: Substitution, budget: inout Int, app: AppDefinition,
    site: Site, id: ObjectIdentity
  ) throws(RenderError) -> Value {
    do {
      return try substitution.apply(in: object, budget: &budget)
    } catch {
      let message: String
      switch error {
      case .undefined(let name):
        message =
          "variable ${\(name)} is not defined (set it in the site's or the app's spec.vars, or give a default: ${\(name):=value})"
      case .unterminated: message = "a ${ has no closing }"
      case .invalidName(let body): message = "${\(body)} is not a valid variable reference"
      case .overBudget:
        message =
          "the values substituted pass the limit of \(limits.renderedBytesPerSite) bytes of rendered manifests per site here"
      }
      throw RenderError(
        file: app.file, object: id.description, message: "site \(site.name): \(message)")
    }
  }
}

extension SiteRenderer {
  fileprivate static func identity(of object: Value) throws(RenderError) -> ObjectIdentity {
    do { return try ObjectIdentity(of: object) } catch {
      throw RenderError(message: error.description)
    }
  }
}

/// Kustomize builds kept by app and components, for one renderer and the copies of it.
private final class KustomizeBuilds: Sendable {
  struct Key: Hashable {
    var app: String
    var components: [String]
  }

  private let store = Mutex<[Key: [Value]]>([:])

  func objects(for key: Key) -> [Value]? { store.withLock { $0[key] } }

  func keep(_ objects: [Value], for key: Key) { store.withLock { $0[key] = objects } }
}
