// Image manifests from OCI registries (distribution API), for payload estimates.

import Crypto
import Foundation
public import KubeClient
public import Logging
import Model
import Synchronization

/// Reads image manifests from OCI registries over KubeClient's libcurl transport: an index is
/// resolved to the configured platform's manifest. Authentication follows the registry's
/// challenge: anonymous first, then Basic or a Bearer token from the registry's token service,
/// with the configured credentials; the answer is kept per registry and repository. Secrets
/// never reach errors, logs or descriptions.
public final class RegistryClient: Sendable {
  public let configuration: RegistryClientConfiguration
  private let web: WebClient
  private let counts = Mutex(RegistryRequestCounts())
  /// Authorization header values by "apiHost repository", once a challenge was answered.
  private let authorizations = Mutex([String: KubeSecret]())

  public init(
    configuration: RegistryClientConfiguration = RegistryClientConfiguration(),
    logger: Logger = Logger(label: "wavesync.registry")
  ) {
    self.configuration = configuration
    web = WebClient(
      name: "registry", certificateAuthorityData: configuration.certificateAuthorityData,
      timeoutSeconds: configuration.timeoutSeconds, logger: logger)
  }

  /// What this client has asked registries since it was made.
  public var requestCounts: RegistryRequestCounts { counts.withLock { $0 } }

  /// Requests and bytes on the wire, token requests and retries included.
  public var transferStats: TransferStats { web.stats }

  /// The digest `reference` names now: its own digest, or its tag's (asked with a HEAD). nil
  /// when the registry's answer does not say (no `Docker-Content-Digest`).
  public func digest(of reference: ImageReference) async throws(RegistryError) -> String? {
    if let digest = reference.digest { return digest }
    counts.withLock { $0.tagResolutions += 1 }
    let response = try await send(
      "HEAD", reference, path: manifestPath(reference, reference.manifestReference))
    try check(response, reference)
    return response.headers["docker-content-digest"].flatMap {
      ImageReference.isDigest($0) ? $0 : nil
    }
  }

  /// The image `reference` names, for the configured platform: config and layers.
  public func manifest(of reference: ImageReference) async throws(RegistryError) -> ImageManifest {
    let (document, digest) = try await fetchManifest(reference, reference.manifestReference)
    switch document {
    case .image(let config, let layers):
      return ImageManifest(digest: digest, config: config, layers: layers)
    case .index(let entries):
      let entry = try ManifestDocument.entry(
        for: configuration.platform, in: entries, image: reference.text)
      let (platformDocument, _) = try await fetchManifest(reference, entry.digest)
      guard case .image(let config, let layers) = platformDocument else {
        throw .badManifest(
          image: reference.text, reason: "the index entry \(entry.digest) is an index itself")
      }
      return ImageManifest(digest: entry.digest, config: config, layers: layers)
    }
  }

  // MARK: Manifests

  private func fetchManifest(_ reference: ImageReference, _ name: String)
    async throws(RegistryError) -> (ManifestDocument, digest: String)
  {
    let byDigest = ImageReference.isDigest(name)
    counts.withLock {
      if byDigest { $0.manifestsByDigest += 1 } else { $0.manifestsByTag += 1 }
    }
    let response = try await send("GET", reference, path: manifestPath(reference, name))
    try check(response, reference)
    let computed =
      "sha256:"
      + SHA256.hash(data: response.body).map { String(format: "%02x", $0) }
      .joined()
    // Manifests are cached by digest, so one fetched by digest must be what the digest says.
    if byDigest, computed != name {
      throw .badManifest(image: reference.text, reason: "the manifest's content is not \(name)")
    }
    let document = try ManifestDocument.parse(
      response.body, contentType: response.headers["content-type"], image: reference.text)
    return (document, byDigest ? name : response.headers["docker-content-digest"] ?? computed)
  }

  private func manifestPath(_ reference: ImageReference, _ name: String) -> String {
    "/v2/\(reference.repository)/manifests/\(name)"
  }

  /// Turns anything but 200 into the error naming the image.
  private func check(_ response: KubeResponse, _ reference: ImageReference) throws(RegistryError) {
    switch response.status {
    case 200: return
    case 404: throw .notFound(image: reference.text)
    case 401, 403: throw .unauthorized(image: reference.text, registry: reference.registry)
    default:
      throw .server(
        image: reference.text, status: response.status, message: Self.errorSummary(response.body))
    }
  }

  /// The `code: message` pairs of a distribution API error body (never `detail`).
  private static func errorSummary(_ body: Data) -> String {
    guard let errors = (try? JSON.decode(body))?["errors"]?.arrayValue else { return "" }
    return errors.map { error in
      [error["code"]?.stringValue, error["message"]?.stringValue].compactMap(\.self)
        .joined(separator: ": ")
    }.joined(separator: "; ")
  }

  // MARK: Requests and authentication

  /// Sends a manifest request with the authorization known for the repository; a 401 with a
  /// challenge this client can answer is answered and the request sent once more.
  private func send(_ method: String, _ reference: ImageReference, path: String)
    async throws(RegistryError) -> KubeResponse
  {
    let url = baseURL(reference.registry, host: reference.apiHost) + path
    let key = "\(reference.apiHost) \(reference.repository)"
    let known = authorizations.withLock { $0[key] }
    let response = try await exchange(method, url, reference, authorization: known)
    guard response.status == 401,
      let header = response.headers["www-authenticate"],
      let challenge = AuthChallenge(header: header),
      let answer = try await answer(challenge, reference)
    else { return response }
    authorizations.withLock { $0[key] = answer }
    return try await exchange(method, url, reference, authorization: answer)
  }

  private func exchange(
    _ method: String, _ url: String, _ reference: ImageReference, authorization: KubeSecret?
  ) async throws(RegistryError) -> KubeResponse {
    var headers = ["Accept": ManifestDocument.accept]
    if let authorization { headers["Authorization"] = authorization.reveal() }
    do {
      return try await web.send(method, url: url, headers: headers)
    } catch {
      throw Self.unreachable(error, reference)
    }
  }

  /// The Authorization value answering `challenge`, or nil when this client has none.
  private func answer(_ challenge: AuthChallenge, _ reference: ImageReference)
    async throws(RegistryError) -> KubeSecret?
  {
    let credential = configuration.credentials.credential(forRegistry: reference.registry)
    switch challenge.scheme {
    case "basic": return credential?.basicAuthorization
    case "bearer": return try await bearerToken(challenge, reference, credential)
    default: return nil
    }
  }

  /// A token from the challenge's realm, for its service and scope (the repository's pull
  /// scope when it names none). Credentials go only to an HTTPS realm or a plain-HTTP one the
  /// configuration lists.
  private func bearerToken(
    _ challenge: AuthChallenge, _ reference: ImageReference, _ credential: RegistryCredential?
  ) async throws(RegistryError) -> KubeSecret? {
    guard let realm = challenge.parameters["realm"], var components = URLComponents(string: realm),
      let scheme = components.scheme?.lowercased(), let host = components.host
    else { return nil }
    let realmHost = components.port.map { "\(host):\($0)" } ?? host
    let plainAllowed = configuration.plainHTTPRegistries.contains(
      ImageReference.canonicalHost(realmHost))
    guard scheme == "https" || (scheme == "http" && plainAllowed) else { return nil }
    var query = components.queryItems ?? []
    if let service = challenge.parameters["service"] {
      query.append(URLQueryItem(name: "service", value: service))
    }
    query.append(
      URLQueryItem(
        name: "scope",
        value: challenge.parameters["scope"] ?? "repository:\(reference.repository):pull"))
    components.queryItems = query
    guard let url = components.string else { return nil }
    counts.withLock { $0.tokenRequests += 1 }
    var headers: [String: String] = [:]
    if let credential { headers["Authorization"] = credential.basicAuthorization.reveal() }
    let response: KubeResponse
    do {
      response = try await web.send("GET", url: url, headers: headers)
    } catch {
      throw Self.unreachable(error, reference)
    }
    guard response.status == 200 else {
      throw .unauthorized(image: reference.text, registry: reference.registry)
    }
    let body = try? JSON.decode(response.body)
    guard let token = body?["token"]?.stringValue ?? body?["access_token"]?.stringValue,
      !token.isEmpty
    else {
      throw .unauthorized(image: reference.text, registry: reference.registry)
    }
    return KubeSecret("Bearer " + token)
  }

  private func baseURL(_ registry: String, host: String) -> String {
    (configuration.plainHTTPRegistries.contains(registry) ? "http://" : "https://") + host
  }

  private static func unreachable(_ error: KubeError, _ reference: ImageReference) -> RegistryError
  {
    let reason =
      switch error {
      case .unreachable(_, let reason): reason
      case .timeout: "no answer in time"
      default: error.description
      }
    return .unreachable(image: reference.text, registry: reference.registry, reason: reason)
  }
}
