import Model
public import Render

/// Sizes image layers: the bytes a site must pull to run `newImages` when it runs
/// `currentImages` (layers it has already are not pulled again). Nil when unknown (a registry
/// that cannot be reached, an image it does not have): the site is then scheduled as the
/// longest transfer.
public protocol ImagePayloadEstimating: Sendable {
  func bytesToPull(newImages: [String], currentImages: [String]) async -> Int64?
}

/// What a revision moves over one site's link: the apply request bodies of the objects that
/// change, plus the image layers of images the site does not run yet.
public enum SitePayloads {
  /// The bytes of the objects of `new` that `current` does not have as they are (compact JSON,
  /// the body Sync sends). Every object counts when nothing is known to run.
  public static func manifestBytes(new: RenderedSite, current: RenderedSite?) -> Int64 {
    var running: [ObjectIdentity: Value] = [:]
    for object in current?.objects ?? [] {
      if let identity = try? ObjectIdentity(of: object) { running[identity] = object }
    }
    var bytes: Int64 = 0
    for object in new.objects {
      // An object without an identity cannot be matched: it counts as changed.
      if let identity = try? ObjectIdentity(of: object), running[identity] == object { continue }
      bytes += Int64(JSON.encode(object).utf8.count)
    }
    return bytes
  }
}
