import Model
import Testing

@testable import Controller

/// Pre-staging gives a slow link the time its pull needs.
@Suite struct ImagePrestagerSettingsTests {
  @Test func theTimeoutGrowsWithThePayloadOverTheLink() {
    let settings = ImagePrestager.Settings(timeout: .seconds(900), pollInterval: .seconds(2))
    // 534 MB over 2 Mbit/s: 2,136 s; twice that on top of the 15 minutes.
    let satellite = settings.allowing(534_000_000, over: BitRate(bitsPerSecond: 2_000_000))
    #expect(satellite.timeout == .seconds(900 + 2 * 2_136))
    #expect(satellite.pollInterval == .seconds(2))
    let fibre = settings.allowing(534_000_000, over: BitRate(bitsPerSecond: 100_000_000))
    #expect(abs((fibre.timeout - .seconds(900 + 2 * 42.72)) / .milliseconds(1)) < 1)
    // Unknown payload or link: the configured timeout.
    #expect(settings.allowing(nil, over: BitRate(bitsPerSecond: 2_000_000)) == settings)
    #expect(settings.allowing(534_000_000, over: nil) == settings)
    #expect(settings.allowing(0, over: BitRate(bitsPerSecond: 2_000_000)) == settings)
  }
}
