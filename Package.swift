// swift-tools-version: 6.1
import PackageDescription

// One set of compiler settings for every Swift target, so no module drifts from the others.
let swiftSettings: [SwiftSetting] = [
  .swiftLanguageMode(.v6),
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
  name: "Wavesync",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "wavesync", targets: ["wavesync"]),
    .library(name: "Model", targets: ["Model"]),
    .library(name: "GitSource", targets: ["GitSource"]),
    .library(name: "Render", targets: ["Render"]),
    .library(name: "KubeClient", targets: ["KubeClient"]),
    .library(name: "Sync", targets: ["Sync"]),
    .library(name: "Health", targets: ["Health"]),
    .library(name: "LocalFleet", targets: ["LocalFleet"]),
    .library(name: "Registry", targets: ["Registry"]),
    .library(name: "Rollout", targets: ["Rollout"]),
    .library(name: "Controller", targets: ["Controller"]),
    .library(name: "FleetSimulation", targets: ["FleetSimulation"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
  ],
  targets: [
    // C libraries from the system (Debian's -dev packages), linked, never vendored.
    .systemLibrary(
      name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
    .systemLibrary(
      name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
    .systemLibrary(
      name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
    // Typed wrappers for libcurl's variadic curl_easy_setopt/getinfo, which Swift cannot call.
    .target(name: "CCurlShim", dependencies: ["CCurl"]),

    .target(
      name: "Model",
      dependencies: [
        "CYAML",
        .product(name: "OrderedCollections", package: "swift-collections"),
      ],
      swiftSettings: swiftSettings),
    .target(
      name: "GitSource",
      dependencies: ["Model", "CGit2"],
      swiftSettings: swiftSettings),
    .target(
      name: "Render",
      dependencies: [
        "Model",
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: swiftSettings),
    .target(
      name: "KubeClient",
      dependencies: [
        "Model", "CCurl", "CCurlShim",
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings),
    // Image manifests from OCI registries, and the image bytes an update pulls onto a site.
    .target(
      name: "Registry",
      dependencies: [
        "Model", "KubeClient",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings),
    .target(
      name: "Health",
      dependencies: ["Model"],
      swiftSettings: swiftSettings),
    .target(
      name: "Rollout",
      dependencies: ["Model", "Health"],
      swiftSettings: swiftSettings),
    // `wavesync simulate`: a region's rollout in simulated time, driving the real engine.
    .target(
      name: "FleetSimulation",
      dependencies: [
        "Model", "Health", "Rollout",
        .product(name: "HeapModule", package: "swift-collections"),
      ],
      swiftSettings: swiftSettings),
    .target(
      name: "Sync",
      dependencies: ["Model", "KubeClient"],
      swiftSettings: swiftSettings),
    // Runs rollouts against real clusters: Git revisions, rendering, Sync, Health, and the
    // rollout record in the regional cluster.
    .target(
      name: "Controller",
      dependencies: [
        "Model", "GitSource", "Render", "KubeClient", "Sync", "Health", "Rollout", "Registry",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      swiftSettings: swiftSettings),
    // A local fleet of real API servers (etcd + kube-apiserver + kube-controller-manager) and the
    // simulated kubelet: for tests and for the demo.
    .target(
      name: "LocalFleet",
      dependencies: [
        "Model", "KubeClient",
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings),
    .executableTarget(
      name: "wavesync",
      dependencies: [
        "Model", "GitSource", "Render", "KubeClient", "Sync", "Health", "Rollout", "Controller",
        "LocalFleet", "FleetSimulation",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      swiftSettings: swiftSettings),

    // Test support: real servers (git daemon, git http-backend) and reference tools (kubectl).
    .target(
      name: "WavesyncTesting",
      dependencies: [
        "Model", "GitSource", "LocalFleet", "KubeClient",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
      ],
      path: "Tests/WavesyncTesting",
      swiftSettings: swiftSettings),
    .testTarget(
      name: "ModelTests",
      dependencies: ["Model"],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "GitSourceTests",
      dependencies: ["GitSource", "WavesyncTesting"],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "KubeClientTests",
      dependencies: ["KubeClient", "LocalFleet", "WavesyncTesting"],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "LocalFleetTests",
      dependencies: ["LocalFleet", "KubeClient", "WavesyncTesting"],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "HealthTests",
      dependencies: ["Health", "LocalFleet", "KubeClient", "WavesyncTesting"],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "RolloutTests",
      dependencies: ["Rollout", "Model", "WavesyncTesting"],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "FleetSimulationTests",
      dependencies: ["FleetSimulation", "Model"],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "SyncTests",
      dependencies: ["Sync", "KubeClient", "LocalFleet", "Render", "WavesyncTesting"],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "WavesyncCLITests",
      dependencies: [
        "WavesyncTesting", "LocalFleet", "KubeClient", "Model", "Render", "Rollout", "Controller",
        "Registry",
      ],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "RegistryTests",
      dependencies: ["Registry", "KubeClient", "Model", "WavesyncTesting"],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "RenderTests",
      dependencies: ["Render", "GitSource", "WavesyncTesting"],
      swiftSettings: swiftSettings),
  ]
)
