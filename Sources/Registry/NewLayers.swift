/// Which layers an update adds to a site: the arithmetic of a payload estimate, without I/O.
public enum NewLayers {
  /// The total size of the layers of `needed` images whose digest is in no `present` image,
  /// each digest counted once however many images share it.
  public static func bytes(needed: [[BlobDescriptor]], present: [[BlobDescriptor]]) -> Int64 {
    var seen = Set(present.joined().map(\.digest))
    var total: Int64 = 0
    for layer in needed.joined() where seen.insert(layer.digest).inserted {
      total += layer.size
    }
    return total
  }
}
