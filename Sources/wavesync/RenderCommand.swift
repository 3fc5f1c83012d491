import ArgumentParser
import Foundation
import GitSource
import Model
import Render

struct RenderCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "render",
    abstract:
      "Print the manifests a site should run, or build a kustomization as kubectl kustomize does.")

  @OptionGroup var repository: RepositoryOptions

  @Option(name: .long, help: "The site to render.")
  var site: String?

  @Flag(name: .long, help: "Render every site (with --out).")
  var allSites = false

  @Option(name: .long, help: "With --all-sites: the folder to write one sub-folder per site into.")
  var out: String?

  @Option(
    name: .long, help: "Build this kustomization folder on its own, as kubectl kustomize does.")
  var kustomize: String?

  @Option(name: [.short, .long], help: "Output format: yaml or json.")
  var output: OutputFormat = .yaml

  func validate() throws {
    if kustomize != nil {
      guard repository.repo == nil, site == nil, !allSites else {
        throw ValidationError("--kustomize works on its own, without --repo, --site or --all-sites")
      }
      return
    }
    guard repository.repo != nil else { throw ValidationError("give --repo (or --kustomize DIR)") }
    guard (site != nil) != allSites else {
      throw ValidationError("give exactly one of --site NAME or --all-sites")
    }
    if allSites && out == nil { throw ValidationError("--all-sites writes files: give --out DIR") }
    if output == .table { throw ValidationError("render prints yaml or json") }
  }

  func run() async throws {
    try await Wavesync.exitCodes {
      if let kustomize {
        print(format(try Self.buildKustomization(at: kustomize)), terminator: "")
        return
      }
      let snapshot = try await repository.open()
      let repository = try FleetRepository.load(from: snapshot.tree)
      let renderer = SiteRenderer(repository: repository, tree: snapshot.tree)
      if let site {
        guard let found = repository.site(named: site) else {
          throw UserError(
            "site \(site) is not in the repository (sites: \(repository.sites.map(\.name).joined(separator: ", ")))"
          )
        }
        print(format(try renderer.render(found).objects), terminator: "")
        return
      }
      try writeAllSites(
        of: repository, renderer, to: URL(fileURLWithPath: out!), revision: snapshot.revision)
    }
  }

  /// Reads files relative to the working directory, so errors name paths as the user typed them;
  /// a folder outside it is read from `/`, as `../` paths may lead anywhere.
  static func buildKustomization(at path: String) throws -> [Value] {
    let cwd = FileManager.default.currentDirectoryPath
    let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
    let (root, directory) =
      absolute == cwd || absolute.hasPrefix(cwd + "/")
      ? (cwd, String(absolute.dropFirst(cwd.count)))
      : ("/", absolute)
    return try KustomizeBuilder(tree: try LocalDirectoryTree(root: root)).build(
      directory: directory)
  }

  private func format(_ objects: [Value]) -> String {
    switch output {
    case .json: JSON.encode(.array(objects), pretty: true) + "\n"
    default: YAML.emit(objects, sortKeys: true)
    }
  }

  /// One folder per site with its manifests. Each site is written as soon as it renders, so only
  /// one is held in memory; the folder is replaced only once every site rendered and was written.
  private func writeAllSites(
    of repository: FleetRepository, _ renderer: SiteRenderer, to folder: URL, revision: String
  ) throws {
    let name = output == .json ? "manifests.json" : "manifests.yaml"
    var lines: [String] = []
    try RenderedFolder(replacing: folder).replace { staged in
      for site in repository.sites {
        let rendered = try renderer.render(site)
        try staged.write(site: site.name, file: name, data: Data(format(rendered.objects).utf8))
        lines.append(
          "\(site.name)\t\(rendered.objects.count) objects\t\(rendered.contentHash.prefix(19))")
      }
    }
    for line in lines { print(line) }
    printError(
      "rendered \(repository.sites.count) sites at \(revision.prefix(12)) into \(folder.path)")
  }
}
