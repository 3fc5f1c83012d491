public import Foundation
public import KubeClient
public import Model

/// A user name and password for one registry. Printing it shows the user, never the password.
public struct RegistryCredential: Sendable, Hashable, CustomStringConvertible {
  public var username: String
  public var password: KubeSecret

  public init(username: String, password: KubeSecret) {
    self.username = username
    self.password = password
  }

  public var description: String { "\(username) (password redacted)" }

  /// `Basic <base64(user:password)>`, for the transport only.
  var basicAuthorization: KubeSecret {
    KubeSecret("Basic " + Data("\(username):\(password.reveal())".utf8).base64EncodedString())
  }
}

/// Registry credentials by host, from a Docker config JSON: the `.dockerconfigjson` of a
/// `kubernetes.io/dockerconfigjson` Secret (`{"auths": {"<host>": {"auth": "<base64 user:pw>"}}}`
/// or `username`/`password` fields; the older `.dockercfg` map without `auths` works too).
/// Errors name the source and the host, never a value.
public struct RegistryCredentials: Sendable, Hashable {
  /// By canonical host (`ImageReference.canonicalHost`).
  public private(set) var byHost: [String: RegistryCredential]

  public static let anonymous = RegistryCredentials(byHost: [:])

  public init(byHost: [String: RegistryCredential]) {
    self.byHost = Dictionary(
      byHost.map { (ImageReference.canonicalHost($0.key), $0.value) },
      uniquingKeysWith: { a, _ in a })
  }

  /// Parses a Docker config JSON; `source` names it in errors ("Secret edge/registry-pull").
  public init(dockerConfigJSON data: Data, source: String) throws(RegistryError) {
    let root: Value
    do {
      root = try JSON.decode(data)
    } catch {
      throw .badConfiguration("\(source): the Docker config is not JSON")
    }
    guard let auths = (root["auths"] ?? root).objectValue else {
      throw .badConfiguration("\(source): the Docker config has no auths object")
    }
    var byHost: [String: RegistryCredential] = [:]
    for (host, entry) in auths {
      if let credential = try Self.credential(entry, field: "\(source): auths.\(host)") {
        byHost[ImageReference.canonicalHost(host)] = credential
      }
    }
    self.byHost = byHost
  }

  /// The credentials in a `kubernetes.io/dockerconfigjson` (or `dockercfg`) Secret object as
  /// read from the API; `source` names it in errors.
  public init(secret: Value, source: String) throws(RegistryError) {
    let type = secret["type"]?.stringValue ?? ""
    let key =
      switch type {
      case "kubernetes.io/dockerconfigjson": ".dockerconfigjson"
      case "kubernetes.io/dockercfg": ".dockercfg"
      default:
        throw RegistryError.badConfiguration(
          "\(source): type is \"\(type)\", not kubernetes.io/dockerconfigjson")
      }
    guard let encoded = secret["data"]?[key]?.stringValue,
      let data = Data(base64Encoded: encoded)
    else { throw .badConfiguration("\(source): data.\(key) is missing or not base64") }
    try self.init(dockerConfigJSON: data, source: source)
  }

  public func credential(forRegistry registry: String) -> RegistryCredential? {
    byHost[ImageReference.canonicalHost(registry)]
  }

  private static func credential(_ entry: Value, field: String) throws(RegistryError)
    -> RegistryCredential?
  {
    if let auth = entry["auth"]?.stringValue, !auth.isEmpty {
      guard let decoded = Data(base64Encoded: auth).flatMap({ String(data: $0, encoding: .utf8) }),
        let colon = decoded.firstIndex(of: ":")
      else { throw .badConfiguration("\(field).auth is not base64 of user:password") }
      return RegistryCredential(
        username: String(decoded[..<colon]),
        password: KubeSecret(String(decoded[decoded.index(after: colon)...])))
    }
    if let username = entry["username"]?.stringValue, let password = entry["password"]?.stringValue
    {
      return RegistryCredential(username: username, password: KubeSecret(password))
    }
    if entry["identitytoken"] != nil {
      throw .badConfiguration(
        "\(field): identity tokens are not supported; use a user and password")
    }
    return nil
  }
}
