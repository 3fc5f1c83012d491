import Controller
import Foundation
import Testing
import WavesyncTesting

/// The definitions built into the binary are the chart's files, byte for byte.
@Suite struct CustomResourceDefinitionFilesTests {
  @Test func theBuiltInDefinitionsAreTheChartsFiles() throws {
    let folder = RepositoryPaths.root.appendingPathComponent("charts/wavesync/crds")
    let onDisk = try FileManager.default.contentsOfDirectory(atPath: folder.path)
      .filter { $0.hasSuffix(".yaml") }.sorted()
    #expect(CustomResourceDefinitions.files.map(\.name) == onDisk)
    for file in CustomResourceDefinitions.files {
      let text = try String(
        contentsOf: folder.appendingPathComponent(file.name), encoding: .utf8)
      #expect(
        file.text + "\n" == text,
        "\(file.name) differs from Sources/Controller/CustomResourceDefinitions.swift")
    }
    #expect(try CustomResourceInstaller.definitions().count == onDisk.count)
  }
}
