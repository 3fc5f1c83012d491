/// A blob an image is made of, as its manifest lists it.
public struct BlobDescriptor: Sendable, Hashable {
  /// `sha256:<hex>`.
  public var digest: String
  /// Bytes as stored and pulled (compressed for layers).
  public var size: Int64

  public init(digest: String, size: Int64) {
    self.digest = digest
    self.size = size
  }
}

/// One platform's image: its config blob and its layers, in order.
public struct ImageManifest: Sendable, Hashable {
  /// The digest of this platform's manifest (not of an index that pointed at it).
  public var digest: String
  public var config: BlobDescriptor
  public var layers: [BlobDescriptor]

  public init(digest: String, config: BlobDescriptor, layers: [BlobDescriptor]) {
    self.digest = digest
    self.config = config
    self.layers = layers
  }
}
