import Foundation
import Model

/// A manifest as the registry sent it: an index of per-platform manifests (OCI image index,
/// Docker manifest list) or one image (OCI image manifest, Docker image manifest v2).
enum ManifestDocument: Equatable {
  case index([IndexEntry])
  case image(config: BlobDescriptor, layers: [BlobDescriptor])

  struct IndexEntry: Equatable {
    var digest: String
    var platform: Platform?
  }

  static let ociIndex = "application/vnd.oci.image.index.v1+json"
  static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
  static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
  static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
  /// What a manifest request accepts: both index kinds and both image kinds, never schema 1.
  static let accept = [ociIndex, dockerManifestList, ociManifest, dockerManifest].joined(
    separator: ", ")

  /// The document in `body`; `contentType` (the answer's header) decides its kind when it names
  /// one, else the body's `mediaType`, else its shape.
  static func parse(_ body: Data, contentType: String?, image: String) throws(RegistryError)
    -> ManifestDocument
  {
    let root: Value
    do {
      root = try JSON.decode(body)
    } catch {
      throw .badManifest(image: image, reason: "the manifest is not JSON")
    }
    guard root.objectValue != nil else {
      throw .badManifest(image: image, reason: "the manifest is not a JSON object")
    }
    if root["schemaVersion"]?.intValue == 1 {
      throw .badManifest(image: image, reason: "schema 1 manifests are not supported")
    }
    let headerType = contentType?.split(separator: ";").first.map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    let mediaType = [headerType, root["mediaType"]?.stringValue].compactMap(\.self).first {
      [ociIndex, dockerManifestList, ociManifest, dockerManifest].contains($0)
    }
    let isIndex =
      mediaType.map { [ociIndex, dockerManifestList].contains($0) }
      ?? (root["manifests"] != nil)
    return isIndex ? try index(root, image: image) : try manifest(root, image: image)
  }

  private static func index(_ root: Value, image: String) throws(RegistryError) -> ManifestDocument
  {
    guard let entries = root["manifests"]?.arrayValue else {
      throw .badManifest(image: image, reason: "the index has no manifests list")
    }
    var result: [IndexEntry] = []
    for entry in entries {
      let descriptor = try blob(entry, field: "manifests[]", image: image)
      let platform = entry["platform"].flatMap { platform -> Platform? in
        guard let os = platform["os"]?.stringValue,
          let architecture = platform["architecture"]?.stringValue
        else { return nil }
        return Platform(
          os: os, architecture: architecture, variant: platform["variant"]?.stringValue)
      }
      result.append(IndexEntry(digest: descriptor.digest, platform: platform))
    }
    return .index(result)
  }

  private static func manifest(_ root: Value, image: String) throws(RegistryError)
    -> ManifestDocument
  {
    guard let config = root["config"] else {
      throw .badManifest(image: image, reason: "the manifest has no config")
    }
    guard let layers = root["layers"]?.arrayValue else {
      throw .badManifest(image: image, reason: "the manifest has no layers list")
    }
    var descriptors: [BlobDescriptor] = []
    for layer in layers { descriptors.append(try blob(layer, field: "layers[]", image: image)) }
    return .image(config: try blob(config, field: "config", image: image), layers: descriptors)
  }

  private static func blob(_ value: Value, field: String, image: String) throws(RegistryError)
    -> BlobDescriptor
  {
    guard let digest = value["digest"]?.stringValue, !digest.isEmpty else {
      throw .badManifest(image: image, reason: "\(field) has no digest")
    }
    guard let size = value["size"]?.intValue, size >= 0 else {
      throw .badManifest(image: image, reason: "\(field) \(digest) has no size")
    }
    return BlobDescriptor(digest: digest, size: size)
  }

  /// The entry of `entries` for `platform`: an exact variant first, then one without a
  /// variant, then any variant of the architecture.
  static func entry(for platform: Platform, in entries: [IndexEntry], image: String)
    throws(RegistryError) -> IndexEntry
  {
    let candidates = entries.filter { $0.platform.map(platform.accepts) ?? false }
    let chosen =
      candidates.first { $0.platform?.variant == platform.variant }
      ?? candidates.first { $0.platform?.variant == nil } ?? candidates.first
    guard let chosen else {
      throw .noMatchingPlatform(
        image: image, platform: platform.description,
        available: entries.compactMap { $0.platform?.description })
    }
    return chosen
  }
}
