/// What a `RegistryClient` has asked registries, by kind: answers to a cache's effect.
public struct RegistryRequestCounts: Sendable, Hashable {
  /// HEADs of a tag's manifest, to learn its digest.
  public var tagResolutions = 0
  /// Manifest GETs by tag.
  public var manifestsByTag = 0
  /// Manifest GETs by digest (an index's platform manifest, or an image pinned to a digest).
  public var manifestsByDigest = 0
  /// Requests to a Bearer token service.
  public var tokenRequests = 0

  public init() {}
}
