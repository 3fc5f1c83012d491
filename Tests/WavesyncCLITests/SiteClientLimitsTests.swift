import Controller
import KubeClient
import Model
import Testing

/// The libcurl caps of a site's client: what the controller sends goes down the site's downlink,
/// what it receives comes up its uplink, both in bytes per second.
@Suite struct SiteClientLimitsTests {
  static func site(downlink: String?, uplink: String?) throws -> Site {
    Site(
      name: "lyon-part-dieu", labels: [:],
      downlink: try downlink.map { try #require(BitRate(parsing: $0)) },
      uplink: try uplink.map { try #require(BitRate(parsing: $0)) })
  }

  @Test func theDownlinkCapsWhatIsSentAndTheUplinkWhatIsReceived() throws {
    let limits = SiteClientCache.limits(of: try Self.site(downlink: "20Mbps", uplink: "4Mbps"))
    #expect(
      limits == TransferLimits(maxSendBytesPerSecond: 2_500_000, maxReceiveBytesPerSecond: 500_000))
  }

  @Test func aLinkGivenOneWayCapsOnlyThatWay() throws {
    #expect(
      SiteClientCache.limits(of: try Self.site(downlink: "100Mbps", uplink: nil))
        == TransferLimits(maxSendBytesPerSecond: 12_500_000, maxReceiveBytesPerSecond: nil))
    #expect(
      SiteClientCache.limits(of: try Self.site(downlink: nil, uplink: "8kbps"))
        == TransferLimits(maxSendBytesPerSecond: nil, maxReceiveBytesPerSecond: 1_000))
  }

  @Test func aSiteWithoutALinkIsNotCapped() throws {
    #expect(SiteClientCache.limits(of: try Self.site(downlink: nil, uplink: nil)) == nil)
  }

  /// libcurl takes 0 as "no cap": a rate under a byte per second is capped at one, not freed.
  @Test func aRateUnderAByteASecondIsCappedAtOne() throws {
    let limits = SiteClientCache.limits(of: try Self.site(downlink: "7bps", uplink: "1bps"))
    #expect(limits == TransferLimits(maxSendBytesPerSecond: 1, maxReceiveBytesPerSecond: 1))
  }
}
