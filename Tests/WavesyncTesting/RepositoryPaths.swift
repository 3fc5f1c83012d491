public import Foundation

/// Paths inside this repository, for tests that read its fixtures.
public enum RepositoryPaths {
  /// The repository root, found from this source file's location.
  public static let root: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  public static func fixture(_ relative: String) -> URL {
    root.appendingPathComponent("fixtures").appendingPathComponent(relative)
  }

  /// The sub-folders of a fixtures folder, sorted.
  public static func cases(in relative: String) -> [String] {
    let folder = fixture(relative)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { name in
      var isDirectory: ObjCBool = false
      return FileManager.default.fileExists(
        atPath: folder.appendingPathComponent(name).path, isDirectory: &isDirectory)
        && isDirectory.boolValue
    }.sorted()
  }
}
