/// Estimates the image bytes an update pulls onto a site: the layers of the new images that
/// none of the site's running images has, each layer once (`NewLayers`). Config blobs (a few
/// kilobytes each) are left out: the estimate is about layers.
///
/// Manifests are cached by digest for the estimator's life (what a digest names never
/// changes). Tags move, so each `estimate` asks the registry once per distinct tag what it
/// names now (a HEAD), then reads manifests only for digests not seen before. The cache holds
/// at most `cacheLimit` images and starts over when full.
public actor ImagePayloadEstimator {
  public let client: RegistryClient
  public let cacheLimit: Int
  /// The platform's image by the digest a reference resolved to (an index's or the image's).
  private var manifests: [String: ImageManifest] = [:]

  public init(client: RegistryClient, cacheLimit: Int = 10_000) {
    self.client = client
    self.cacheLimit = cacheLimit
  }

  /// The bytes of the layers `newImages` need that `currentImages` (what the site runs now)
  /// do not have. Any image that cannot be read, new or current, makes the estimate unknown,
  /// with a reason naming it; this never throws.
  public func estimate(newImages: [String], currentImages: [String]) async -> PayloadEstimate {
    var resolved: [String: ImageManifest] = [:]
    for image in Set(newImages + currentImages).sorted() {
      do throws(RegistryError) {
        resolved[image] = try await manifest(of: ImageReference(parsing: image))
      } catch {
        return .unknown(reason: error.description)
      }
    }
    return .bytes(
      NewLayers.bytes(
        needed: newImages.compactMap { resolved[$0]?.layers },
        present: currentImages.compactMap { resolved[$0]?.layers }))
  }

  /// The platform's image for `reference`, from the cache when its digest was seen before.
  public func manifest(of reference: ImageReference) async throws(RegistryError) -> ImageManifest {
    guard let digest = try await client.digest(of: reference) else {
      return try await client.manifest(of: reference)
    }
    if let cached = manifests[digest] { return cached }
    let manifest = try await client.manifest(of: reference.pinned(to: digest))
    if manifests.count >= cacheLimit { manifests.removeAll() }
    manifests[digest] = manifest
    return manifest
  }
}
