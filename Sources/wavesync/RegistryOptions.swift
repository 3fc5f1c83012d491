import ArgumentParser
import Controller
import Foundation

/// How image layers are sized from their registries, shared by the commands that schedule a
/// rollout (`plan`, `rollout`): without `--registry`, a site that needs a new image has an
/// unknown payload.
struct RegistryOptions: ParsableArguments {
  @Flag(
    name: .customLong("registry"),
    help: "Size images from their registries (anonymous unless --registry-config).")
  var enabled = false

  @Option(name: .long, help: "A Docker config JSON with registry credentials, for --registry.")
  var registryConfig: String?

  @Option(name: .long, help: "A registry (host:port) reached over plain HTTP; repeat for several.")
  var registryPlainHTTP: [String] = []

  @Option(name: .long, help: "The os/architecture of the sites' nodes, for image indexes.")
  var platform = "linux/amd64"

  func validate() throws {
    // Silently sizing nothing would schedule every new image as the longest transfer.
    guard enabled || (registryConfig == nil && registryPlainHTTP.isEmpty) else {
      throw ValidationError("--registry-config and --registry-plain-http need --registry")
    }
  }

  /// What `--registry` asks for (the credentials read from `--registry-config`); nil without it.
  func settings() throws -> RegistrySettings? {
    guard enabled else { return nil }
    let json = try registryConfig.map { path throws in
      guard let data = FileManager.default.contents(atPath: path) else {
        throw UserError("cannot read --registry-config \(path)")
      }
      return String(decoding: data, as: UTF8.self)
    }
    return RegistrySettings(
      platform: platform, dockerConfigJSON: json, plainHTTP: registryPlainHTTP)
  }
}
