import Foundation

/// SplitMix64: a small, fast generator whose whole state is one integer, so every site can own a
/// stream of its own and a simulation replays exactly for a given seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  private var state: UInt64

  public init(seed: UInt64) { state = seed }

  /// An independent stream for item `index` of a seeded run (drops of one site, say).
  public init(seed: UInt64, stream: UInt64) {
    var mixer = SeededGenerator(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15))
    state = mixer.next()
  }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform value in (0, 1]: never 0, so its logarithm is finite.
  public mutating func unitInterval() -> Double {
    Double((next() >> 11) + 1) / Double(UInt64(1) << 53)
  }

  /// The wait until the next event of a Poisson process of `rate` events per second.
  public mutating func exponential(rate: Double) -> Double {
    -log(unitInterval()) / rate
  }
}
