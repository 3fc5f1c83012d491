public import Model

extension RenderedSite {
  /// The container images the site's objects name (`containers`, `initContainers` and
  /// `ephemeralContainers` lists anywhere in an object, as in pod templates of every workload
  /// kind), each once, in first-seen order.
  public var images: [String] {
    var seen: Set<String> = []
    var images: [String] = []
    for object in objects {
      Self.collectImages(in: object) { image in
        if seen.insert(image).inserted { images.append(image) }
      }
    }
    return images
  }

  private static let containerLists: Set<String> = [
    "containers", "initContainers", "ephemeralContainers",
  ]

  private static func collectImages(in value: Value, _ found: (String) -> Void) {
    switch value {
    case .object(let entries):
      for (key, child) in entries {
        if containerLists.contains(key), case .array(let containers) = child {
          for container in containers {
            if let image = container["image"]?.stringValue, !image.isEmpty { found(image) }
          }
        }
        collectImages(in: child, found)
      }
    case .array(let items):
      for item in items { collectImages(in: item, found) }
    default:
      break
    }
  }
}
