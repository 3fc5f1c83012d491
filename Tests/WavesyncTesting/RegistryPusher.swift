import Crypto
public import Foundation
import KubeClient
import Model

/// A blob or manifest pushed to a registry: what its descriptor in a manifest says.
public struct PushedContent: Sendable, Hashable {
  public var digest: String
  public var size: Int64
  public var mediaType: String
}

public struct RegistryPushError: Error, CustomStringConvertible {
  public var description: String
}

/// Pushes made-up images to a real registry through the distribution API, as `docker push`
/// would: blobs (POST an upload, PUT its content with the digest), then manifests, then image
/// indexes. Layers are random bytes: a registry stores them without looking inside.
public final class RegistryPusher: Sendable {
  public let baseURL: String
  private let web: WebClient
  private let authorization: String?

  public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
  public static let ociIndex = "application/vnd.oci.image.index.v1+json"
  public static let ociLayer = "application/vnd.oci.image.layer.v1.tar+gzip"
  public static let ociConfig = "application/vnd.oci.image.config.v1+json"

  /// `authorization` is the header value every request carries (see `basic`).
  public init(_ registry: LocalRegistry, authorization: String? = nil) {
    baseURL = registry.baseURL
    web = WebClient(name: "test-registry", certificateAuthorityData: registry.certificateAuthority)
    self.authorization = authorization
  }

  /// `Basic <base64 user:password>`.
  public static func basic(user: String, password: String) -> String {
    "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
  }

  /// A Bearer authorization from `tokenServer` for pushing to and pulling from `repositories`.
  public static func bearer(from tokenServer: RegistryTokenServer, repositories: [String])
    async throws -> String
  {
    let scopes = repositories.map { "scope=repository:\($0):pull,push" }.joined(separator: "&")
    let response = try await WebClient(name: "test-token-service").send(
      "GET",
      url: "\(tokenServer.realm)?service=\(RegistryTokenServer.service)&\(scopes)",
      headers: ["Authorization": basic(user: tokenServer.user, password: tokenServer.password)])
    guard response.status == 200,
      let token = (try JSON.decode(response.body))["token"]?.stringValue
    else {
      throw RegistryPushError(
        description: "no push token: HTTP \(response.status) \(response.text)")
    }
    return "Bearer " + token
  }

  /// A layer of `size` random bytes.
  public func pushLayer(size: Int, repository: String) async throws -> PushedContent {
    var generator = SystemRandomNumberGenerator()
    let bytes = Data((0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) })
    return try await pushBlob(bytes, mediaType: Self.ociLayer, repository: repository)
  }

  public func pushBlob(_ content: Data, mediaType: String, repository: String) async throws
    -> PushedContent
  {
    let digest = Self.digest(content)
    let started = try await send(
      "POST", "\(baseURL)/v2/\(repository)/blobs/uploads/", expecting: 202)
    guard let location = started.headers["location"] else {
      throw RegistryPushError(description: "upload to \(repository) started without a Location")
    }
    let upload = location.hasPrefix("/") ? baseURL + location : location
    let separator = upload.contains("?") ? "&" : "?"
    _ = try await send(
      "PUT", "\(upload)\(separator)digest=\(digest)", body: content,
      contentType: "application/octet-stream", expecting: 201)
    return PushedContent(digest: digest, size: Int64(content.count), mediaType: mediaType)
  }

  /// Makes a blob of `source` part of `repository` too, without uploading it again.
  public func mountBlob(_ digest: String, from source: String, into repository: String)
    async throws
  {
    _ = try await send(
      "POST", "\(baseURL)/v2/\(repository)/blobs/uploads/?mount=\(digest)&from=\(source)",
      expecting: 201)
  }

  /// An image manifest with a config blob (naming `platform`, and `name` to keep configs
  /// apart) and `layers`, tagged `tag` when given.
  public func pushImage(
    repository: String, tag: String?, layers: [PushedContent], platform: String = "linux/amd64",
    name: String = UUID().uuidString
  ) async throws -> PushedContent {
    let parts = platform.split(separator: "/").map(String.init)
    let config = try await pushBlob(
      Data(
        JSON.encode(
          [
            "os": .string(parts[0]), "architecture": .string(parts[1]),
            "config": ["Labels": ["name": .string(name)]],
            "rootfs": ["type": "layers", "diff_ids": []],
          ] as Value
        ).utf8), mediaType: Self.ociConfig, repository: repository)
    let manifest: Value = [
      "schemaVersion": 2, "mediaType": .string(Self.ociManifest),
      "config": Self.descriptor(config), "layers": .array(layers.map(Self.descriptor)),
    ]
    return try await pushManifest(
      manifest, mediaType: Self.ociManifest, repository: repository, tag: tag)
  }

  /// An OCI image index of `manifests`, each with its platform (`os/architecture[/variant]`).
  public func pushIndex(
    repository: String, tag: String, manifests: [(manifest: PushedContent, platform: String)]
  ) async throws -> PushedContent {
    let entries: [Value] = manifests.map { entry in
      let parts = entry.platform.split(separator: "/").map { Value.string(String($0)) }
      var platform: Value = ["os": parts[0], "architecture": parts[1]]
      if parts.count > 2 { platform["variant"] = parts[2] }
      var descriptor = Self.descriptor(entry.manifest)
      descriptor["platform"] = platform
      return descriptor
    }
    let index: Value = [
      "schemaVersion": 2, "mediaType": .string(Self.ociIndex), "manifests": .array(entries),
    ]
    return try await pushManifest(index, mediaType: Self.ociIndex, repository: repository, tag: tag)
  }

  private func pushManifest(
    _ manifest: Value, mediaType: String, repository: String, tag: String?
  ) async throws -> PushedContent {
    let body = Data(JSON.encode(manifest).utf8)
    let digest = Self.digest(body)
    _ = try await send(
      "PUT", "\(baseURL)/v2/\(repository)/manifests/\(tag ?? digest)", body: body,
      contentType: mediaType, expecting: 201)
    return PushedContent(digest: digest, size: Int64(body.count), mediaType: mediaType)
  }

  private func send(
    _ method: String, _ url: String, body: Data? = nil, contentType: String? = nil,
    expecting status: Int
  ) async throws -> KubeResponse {
    var headers: [String: String] = [:]
    if let authorization { headers["Authorization"] = authorization }
    if let contentType { headers["Content-Type"] = contentType }
    let response = try await web.send(method, url: url, headers: headers, body: body)
    guard response.status == status else {
      throw RegistryPushError(
        description: "\(method) \(url): HTTP \(response.status), expected \(status): "
          + response.text)
    }
    return response
  }

  private static func descriptor(_ content: PushedContent) -> Value {
    [
      "mediaType": .string(content.mediaType), "digest": .string(content.digest),
      "size": .int(content.size),
    ]
  }

  public static func digest(_ data: Data) -> String {
    "sha256:" + SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
  }
}
