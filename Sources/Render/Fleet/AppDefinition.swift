public import Model

/// An app of the fleet: a kustomize base plus components, each given to the sites its selector
/// matches, in the listed order.
public struct AppDefinition: Sendable, Hashable {
  public struct Component: Sendable, Hashable {
    public var name: String
    /// Repository path of the component's directory.
    public var path: String
    public var selector: LabelSelector
  }

  public var name: String
  /// Repository path of the app's folder.
  public var directory: String
  /// Repository path of the base kustomization's directory.
  public var basePath: String
  public var sites: LabelSelector
  public var components: [Component]
  public var vars: [String: String]
  public var file: String

  /// The components a site with these labels gets, in order.
  public func components(for labels: [String: String]) -> [Component] {
    components.filter { $0.selector.matches(labels) }
  }
}

extension AppDefinition {
  static func read(_ reader: DocumentReader, directory: String) throws(RenderError) -> AppDefinition
  {
    try reader.expectKind("App")
    try reader.onlyFields("", ["apiVersion", "kind", "metadata", "spec"])
    try reader.onlyFields("/metadata", ["name", "labels", "annotations"])
    try reader.onlyFields("/spec", ["path", "sites", "components", "vars"])
    let name = try reader.requiredString("/metadata/name")
    let folder = FilePath.lastComponent(of: directory)
    guard name == folder else {
      throw reader.fail(
        "/metadata/name", "app name \"\(name)\" must equal its folder name \"\(folder)\"")
    }
    func path(_ pointer: String) throws(RenderError) -> String {
      let relative = try reader.requiredString(pointer)
      let joined = FilePath.join(directory, relative)
      guard !FilePath.escapesRoot(joined), !relative.hasPrefix("/") else {
        throw reader.fail(pointer, "path \(relative) leaves the repository")
      }
      return joined
    }
    var components: [Component] = []
    for index in try reader.list("/spec/components").indices {
      let at = "/spec/components/\(index)"
      try reader.onlyFields(at, ["name", "path", "selector"])
      let componentName = try reader.requiredString(at + "/name")
      if components.contains(where: { $0.name == componentName }) {
        throw reader.fail(at + "/name", "component \"\(componentName)\" is listed twice")
      }
      components.append(
        Component(
          name: componentName, path: try path(at + "/path"),
          selector: try reader.selector(at + "/selector")))
    }
    return AppDefinition(
      name: name, directory: directory, basePath: try path("/spec/path"),
      sites: try reader.selector("/spec/sites"),
      components: components,
      vars: Dictionary(
        uniqueKeysWithValues: try reader.stringMap("/spec/vars").map { ($0.key, $0.value) }),
      file: reader.file)
  }
}
