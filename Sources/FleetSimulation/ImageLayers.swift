/// The container images a revision ships and what each kind of store must pull for it.
///
/// Images are stacks of content-addressed layers: a base (OS), often a language runtime, and the
/// application. Layers with the same digest are pulled once per site, so apps built on the same
/// base share it. The revision simulated here is a typical monthly release: the Debian base got a
/// security patch (so it and the runtime layers rebuilt on it are new), and some apps changed.
/// Layers the revision does not change are already on every site.
public struct ImageLayer: Sendable, Hashable {
  public var digest: String
  public var bytes: Int64
  /// Whether the revision changed it (a site has every unchanged layer already).
  public var isNew: Bool
}

public struct AppImage: Sendable, Hashable {
  public var name: String
  public var layers: [ImageLayer]
}

/// A kind of store and the apps it runs.
public struct StoreProfile: Sendable, Hashable {
  public var name: String
  public var apps: [AppImage]
  /// The share of sites with this profile, in [0, 1].
  public var share: Double

  /// The bytes a site of this profile must pull: each new layer once, however many apps use it.
  public var payloadBytes: Int64 {
    var seen = Set<String>()
    var total: Int64 = 0
    for layer in apps.flatMap(\.layers) where layer.isNew && seen.insert(layer.digest).inserted {
      total += layer.bytes
    }
    return total
  }
}

/// The standard layer sets: sizes as published for common base and runtime images (compressed).
public enum ImageCatalog {
  static let megabyte: Int64 = 1_000_000

  static func layer(_ digest: String, _ megabytes: Double, new: Bool) -> ImageLayer {
    ImageLayer(digest: digest, bytes: Int64(megabytes * Double(megabyte)), isNew: new)
  }

  // Bases and runtimes. The Debian base was patched, so it and everything built on it is new.
  static let debian = layer("debian-12-slim@patched", 29, new: true)
  static let alpine = layer("alpine-3.20", 3.6, new: false)
  static let distroless = layer("distroless-static", 2, new: false)
  static let python = layer("python-3.12-on-debian@patched", 48, new: true)
  static let jre = layer("temurin-21-jre-on-debian@patched", 86, new: true)
  static let node = layer("node-20-on-debian@patched", 62, new: true)

  static let pointOfSale = AppImage(
    name: "pos",
    layers: [debian, jre, layer("pos-libs", 41, new: false), layer("pos-app@r2", 18, new: true)])
  static let inventory = AppImage(
    name: "inventory",
    layers: [
      debian, python, layer("inventory-deps", 35, new: false), layer("inventory@r2", 6, new: true),
    ])
  static let pricing = AppImage(
    name: "pricing", layers: [debian, node, layer("pricing@r2", 12, new: true)])
  static let agent = AppImage(
    name: "edge-agent", layers: [distroless, layer("edge-agent@r2", 24, new: true)])
  static let metrics = AppImage(
    name: "metrics", layers: [alpine, layer("metrics-collector", 20, new: false)])
  static let cameraAnalytics = AppImage(
    name: "camera-analytics",
    layers: [
      debian, python, layer("cuda-runtime-12", 180, new: false),
      layer("vision-model@r2", 240, new: true), layer("camera-analytics@r2", 9, new: true),
    ])

  /// Kiosks, standard stores and flagships: 157, 285 and 534 MB to pull (before site data).
  public static let standardProfiles: [StoreProfile] = [
    StoreProfile(name: "kiosk", apps: [pointOfSale, agent, metrics], share: 0.3),
    StoreProfile(
      name: "store", apps: [pointOfSale, inventory, pricing, agent, metrics], share: 0.55),
    StoreProfile(
      name: "flagship",
      apps: [pointOfSale, inventory, pricing, agent, metrics, cameraAnalytics], share: 0.15),
  ]
}
