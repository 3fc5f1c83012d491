import Foundation

/// The folder `render --all-sites --out` writes: one sub-folder per site with its manifests.
///
/// Sites are written, one at a time as they render, into a new folder beside it, which takes its
/// place only once every site is there: a failure leaves the folder as it was, and site folders
/// of an earlier render do not survive. A folder holding anything but such site folders is never
/// replaced.
struct RenderedFolder {
  static let manifestNames: Set<String> = ["manifests.yaml", "manifests.json"]

  let folder: URL
  /// The new folder beside `folder` that the sites are written into.
  let staging: URL
  private let files = FileManager.default

  /// Checks that `folder` may be replaced and creates the staging folder beside it.
  init(replacing folder: URL) throws {
    self.folder = folder.standardizedFileURL
    let parent = self.folder.deletingLastPathComponent()
    staging = parent.appendingPathComponent(".\(self.folder.lastPathComponent).new-\(UUID())")
    try checkReplaceable()
    try attempt(parent) { try files.createDirectory(at: parent, withIntermediateDirectories: true) }
    try Self.system(mkdir(staging.path, 0o755), staging)
  }

  func write(site: String, file: String, data: Data) throws {
    let siteFolder = staging.appendingPathComponent(site, isDirectory: true)
    try Self.system(mkdir(siteFolder.path, 0o755), siteFolder)
    try Self.write(data, to: siteFolder.appendingPathComponent(file))
  }

  /// Runs `writeSites`, then puts the staging folder in place of `folder`; if either fails, the
  /// staging folder is removed and `folder` is as it was.
  func replace(writingSites writeSites: (RenderedFolder) throws -> Void) throws {
    do {
      try writeSites(self)
      try swapIn()
    } catch {
      discardStaging()
      throw error
    }
  }

  private func discardStaging() {
    do { try files.removeItem(at: staging) } catch {
      printError(
        "warning: could not remove the unfinished render at \(staging.path): \(error.localizedDescription)"
      )
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
      var isSiteFolder: ObjCBool = false
      _ = files.fileExists(atPath: site.path, isDirectory: &isSiteFolder)
      let inside =
        isSiteFolder.boolValue
        ? try attempt(site) { try files.contentsOfDirectory(atPath: site.path) } : [name]
      guard isSiteFolder.boolValue, Set(inside).isSubset(of: Self.manifestNames) else {
        throw UserError(
          "--out \(folder.path) holds \(name), which is not a site folder of an earlier render; "
            + "give a new or empty folder (render replaces the whole folder)")
      }
    }
  }

  /// Puts `staging` where the folder is; the earlier folder is removed only once that worked.
  private func swapIn() throws {
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
