import Foundation

/// The folder `render --all-sites --out` writes: one sub-folder per site with its manifests.
///
/// Everything is written into a new folder beside it first, which then takes its place, so a
/// failure leaves the folder as it was and site folders of an earlier render do not survive.
/// A folder holding anything but such site folders is never replaced.
struct RenderedFolder {
  static let manifestNames: Set<String> = ["manifests.yaml", "manifests.json"]

  let folder: URL
  private let files = FileManager.default

  init(_ folder: URL) { self.folder = folder.standardizedFileURL }

  /// Writes `contents` (site name to manifest file name and bytes) and puts it in place.
  func replace(with contents: [(site: String, file: String, data: Data)]) throws {
    try checkReplaceable()
    let parent = folder.deletingLastPathComponent()
    try attempt(parent) { try files.createDirectory(at: parent, withIntermediateDirectories: true) }
    let staging = parent.appendingPathComponent(".\(folder.lastPathComponent).new-\(UUID())")
    try Self.system(mkdir(staging.path, 0o755), staging)
    do {
      for entry in contents {
        let siteFolder = staging.appendingPathComponent(entry.site, isDirectory: true)
        try Self.system(mkdir(siteFolder.path, 0o755), siteFolder)
        try Self.write(entry.data, to: siteFolder.appendingPathComponent(entry.file))
      }
      try swapIn(staging)
    } catch {
      try? files.removeItem(at: staging)
      throw error
    }
  }

  /// Writes with the system calls themselves, so a failure says why (`File too large`, `No space
  /// left on device`), which Foundation's `Data.write` does not.
  private static func write(_ data: Data, to file: URL) throws {
    let descriptor = open(file.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    try system(descriptor, file)
    var failure: Int32?
    data.withUnsafeBytes { buffer in
      var offset = 0
      while offset < buffer.count, failure == nil {
        let written = Foundation.write(
          descriptor, buffer.baseAddress! + offset, buffer.count - offset)
        if written >= 0 {
          offset += written
        } else if errno != EINTR {
          failure = errno
        }
      }
    }
    let closed = close(descriptor)
    if let failure {
      throw UserError("cannot write \(file.path): \(String(cString: strerror(failure)))")
    }
    try system(closed, file)
  }

  /// A system call's result: -1 becomes a user error naming the path and the system's reason.
  private static func system(_ result: Int32, _ path: URL) throws {
    guard result == -1 else { return }
    throw UserError("cannot write \(path.path): \(String(cString: strerror(errno)))")
  }

  /// Refuses a file, or a folder with anything but site folders of an earlier render in it.
  private func checkReplaceable() throws {
    var isDirectory: ObjCBool = false
    guard files.fileExists(atPath: folder.path, isDirectory: &isDirectory) else { return }
    guard isDirectory.boolValue else {
      throw UserError("--out \(folder.path) is a file, not a folder")
    }
    let entries = try attempt(folder) { try files.contentsOfDirectory(atPath: folder.path) }
    for name in entries.sorted() {
      let site = folder.appendingPathComponent(name)
      let inside = try? files.contentsOfDirectory(atPath: site.path)
      guard let inside, Set(inside).isSubset(of: Self.manifestNames) else {
        throw UserError(
          "--out \(folder.path) holds \(name), which is not a site folder of an earlier render; "
            + "give a new or empty folder (render replaces the whole folder)")
      }
    }
  }

  /// Puts `staging` where the folder is; the earlier folder is removed only once that worked.
  private func swapIn(_ staging: URL) throws {
    guard files.fileExists(atPath: folder.path) else {
      try Self.system(rename(staging.path, folder.path), folder)
      return
    }
    let earlier = folder.deletingLastPathComponent().appendingPathComponent(
      ".\(folder.lastPathComponent).old-\(UUID())")
    try Self.system(rename(folder.path, earlier.path), folder)
    guard rename(staging.path, folder.path) == 0 else {
      let failure = UserError("cannot write \(folder.path): \(String(cString: strerror(errno)))")
      try Self.system(rename(earlier.path, folder.path), folder)
      throw failure
    }
    do { try files.removeItem(at: earlier) } catch {
      printError(
        "warning: could not remove the earlier render at \(earlier.path): \(error.localizedDescription)"
      )
    }
  }

  /// Runs a file operation; a failure becomes a user error naming the path.
  @discardableResult
  private func attempt<T>(_ path: URL, _ operation: () throws -> T) throws -> T {
    do { return try operation() } catch {
      throw UserError("cannot write \(path.path): \(error.localizedDescription)")
    }
  }
}
