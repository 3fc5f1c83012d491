public import Foundation
import GitSource
public import KubeClient
public import Model

/// What a `Fleet`'s spec says to reach its repository and its sites, with the Secrets it names
/// read: the repository (and its credentials), the sites' kubeconfig, the selector of the sites
/// this region manages, and the poll interval.
public struct FleetConfiguration: Sendable {
  public var repository: FleetSource
  public var kubeconfig: Kubeconfig
  public var scope: LabelSelector?
  public var pollInterval: Duration
  /// Revisions that skip maintenance windows (`spec.urgentRevisions`).
  public var urgentRevisions: [String]
  /// Where image sizes come from (`spec.registry`); nil: new images are of unknown size.
  public var registry: RegistrySettings?
  /// Changes whenever the spec's source, selector or Secrets' versions change: a new
  /// configuration means new clients and a new render cache.
  public var fingerprint: String

  /// Reads the Secrets `fleet` names from the regional cluster. SSH keys and the kubeconfig are
  /// written, readable by this user only, under `workDirectory` (the libraries read files).
  public static func read(
    _ fleet: Value, client: KubeClient, cacheRoot: URL, workDirectory: URL
  ) async throws -> FleetConfiguration {
    let namespace = fleet[path: ["metadata", "namespace"]]?.stringValue ?? "default"
    let name = fleet[path: ["metadata", "name"]]?.stringValue ?? "?"
    let spec = fleet["spec"] ?? [:]
    guard let url = spec[path: ["source", "url"]]?.stringValue, !url.isEmpty else {
      throw FleetConfigurationError("Fleet \(namespace)/\(name): spec.source.url is not set")
    }
    let directory = workDirectory.appendingPathComponent("\(namespace)/\(name)")
    try FileManager.default.createDirectory(
      at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    var fingerprint = [
      JSON.encode(spec["source"] ?? .null), spec["siteSelector"]?.stringValue ?? "",
      JSON.encode(spec["urgentRevisions"] ?? .null), JSON.encode(spec["registry"] ?? .null),
    ]

    var credentials: GitCredentials? = nil
    if let secretName = spec[path: ["source", "secretRef", "name"]]?.stringValue {
      let (data, version) = try await secret(secretName, namespace: namespace, client: client)
      fingerprint.append(version)
      var fields = data
      for (key, file) in [("ssh-key", "git-ssh-key"), ("ssh-known-hosts", "git-known-hosts")] {
        guard let text = data[key] else { continue }
        fields[key] = try write(text, to: directory.appendingPathComponent(file)).path
      }
      credentials = try GitCredentials.fromFields(
        fields, source: "Secret \(namespace)/\(secretName)")
    }

    guard let kubeconfigName = spec[path: ["kubeconfigSecretRef", "name"]]?.stringValue else {
      throw FleetConfigurationError(
        "Fleet \(namespace)/\(name) names no kubeconfig Secret (spec.kubeconfigSecretRef): "
          + "the controller cannot reach its sites")
    }
    let key = spec[path: ["kubeconfigSecretRef", "key"]]?.stringValue ?? "kubeconfig"
    let (data, version) = try await secret(kubeconfigName, namespace: namespace, client: client)
    fingerprint.append(version)
    guard let kubeconfigText = data[key] else {
      throw FleetConfigurationError(
        "Secret \(namespace)/\(kubeconfigName) has no key \(key) (spec.kubeconfigSecretRef.key)")
    }
    let kubeconfigFile = try write(
      kubeconfigText, to: directory.appendingPathComponent("kubeconfig"))
    let kubeconfig = try Kubeconfig.load(paths: [kubeconfigFile.path])

    let scope: LabelSelector?
    do {
      scope = try spec["siteSelector"]?.stringValue.map { text throws in
        try LabelSelector(parsing: text)
      }
    } catch {
      throw FleetConfigurationError("Fleet \(namespace)/\(name): spec.siteSelector: \(error)")
    }
    let pollText = spec[path: ["source", "pollInterval"]]?.stringValue ?? "1m"
    guard let pollSeconds = GoDuration.seconds(pollText), pollSeconds > 0 else {
      throw FleetConfigurationError(
        "Fleet \(namespace)/\(name): spec.source.pollInterval \(pollText) is not a duration")
    }
    var registry: RegistrySettings? = nil
    if let registrySpec = spec["registry"] {
      registry = RegistrySettings(
        platform: registrySpec["platform"]?.stringValue ?? "linux/amd64", dockerConfigJSON: nil,
        plainHTTP: registrySpec["plainHTTP"]?.arrayValue?.compactMap(\.stringValue) ?? [])
      if let secretName = registrySpec[path: ["secretRef", "name"]]?.stringValue {
        let (data, version) = try await secret(secretName, namespace: namespace, client: client)
        fingerprint.append(version)
        guard let config = data[".dockerconfigjson"] else {
          throw FleetConfigurationError(
            "Secret \(namespace)/\(secretName) has no key .dockerconfigjson (spec.registry.secretRef)"
          )
        }
        registry?.dockerConfigJSON = config
      }
    }
    let urgent = spec["urgentRevisions"]?.arrayValue?.compactMap(\.stringValue) ?? []
    return FleetConfiguration(
      repository: FleetSource(
        url: url, ref: spec[path: ["source", "ref"]]?.stringValue,
        cacheRoot: cacheRoot, credentials: credentials,
        insecureSkipTLSVerify: spec[path: ["source", "insecureSkipTLSVerify"]]?.boolValue ?? false),
      kubeconfig: kubeconfig, scope: scope,
      pollInterval: .milliseconds(Int64(pollSeconds * 1000)), urgentRevisions: urgent,
      registry: registry, fingerprint: fingerprint.joined(separator: "\n"))
  }

  /// A Secret's data, decoded, and its resourceVersion.
  private static func secret(_ name: String, namespace: String, client: KubeClient) async throws
    -> (data: [String: String], version: String)
  {
    let reference = ObjectReference(
      apiVersion: "v1", kind: "Secret", namespace: namespace, name: name)
    guard let secret = try await client.get(reference) else {
      throw FleetConfigurationError("Secret \(namespace)/\(name) does not exist")
    }
    var data: [String: String] = [:]
    for (key, value) in secret["data"]?.objectValue ?? [:] {
      guard let encoded = value.stringValue, let decoded = Data(base64Encoded: encoded) else {
        throw FleetConfigurationError(
          "Secret \(namespace)/\(name): key \(key) is not base64 (its value is not shown)")
      }
      data[key] = String(decoding: decoded, as: UTF8.self)
    }
    return (data, secret[path: ["metadata", "resourceVersion"]]?.stringValue ?? "")
  }

  /// Created owner-only before the secret is written into it; a failed create shows as the
  /// write's error.
  private static func write(_ text: String, to file: URL) throws -> URL {
    _ = FileManager.default.createFile(
      atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600])
    try Data(text.utf8).write(to: file)
    return file
  }
}

/// A `Fleet`'s spec or the Secrets it names cannot be used; the message names which.
public struct FleetConfigurationError: Error, Sendable, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// How a controller sizes images: the platform of the sites' nodes and the registry credentials
/// (a Docker config JSON, never printed).
public struct RegistrySettings: Sendable {
  public var platform: String
  public var dockerConfigJSON: String?
  /// Registries (`host:port`) spoken to over plain HTTP; every other one over verified HTTPS.
  public var plainHTTP: [String]

  public init(platform: String, dockerConfigJSON: String?, plainHTTP: [String] = []) {
    self.platform = platform
    self.dockerConfigJSON = dockerConfigJSON
    self.plainHTTP = plainHTTP
  }
}
