enum WavesyncVersion { static let current = "0.1.0-dev" }
print("wavesync \(WavesyncVersion.current)")
