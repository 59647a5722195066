import Core
import Testing

@Suite struct IPNetworkTests {
    @Test func parsesAndNormalises() throws {
        #expect(IPAddress("185.71.76.5")?.description == "185.71.76.5")
        #expect(IPAddress("::ffff:185.71.76.5") == IPAddress("185.71.76.5"))
        #expect(IPAddress("[2a02:5180::1]")?.isIPv4 == false)
        for bad in ["", "1.2.3", "1.2.3.256", "example.com", "::ffff:1.2.3", "1.2.3.4/24", " "] {
            #expect(IPAddress(bad) == nil, "\(bad)")
        }
    }

    @Test func containment() throws {
        let networks = YooKassaNetworks.published
        for inside in [
            "185.71.76.0", "185.71.76.31", "185.71.77.12", "77.75.153.127", "77.75.156.11", "77.75.154.200",
            "2a02:5180:0:2655::1",
        ] {
            #expect(networks.contains(try #require(IPAddress(inside))), "\(inside)")
        }
        for outside in ["185.71.76.32", "77.75.153.128", "77.75.156.12", "2a02:5181::1", "10.0.0.1"] {
            #expect(!networks.contains(try #require(IPAddress(outside))), "\(outside)")
        }
        #expect(IPNetwork("::ffff:10.0.0.0/104")?.contains(try #require(IPAddress("10.9.9.9"))) == true)
    }

    @Test func lists() {
        #expect(IPNetwork.list("10.0.0.0/8, 192.168.1.1 ,::1")?.count == 3)
        #expect(IPNetwork.list("10.0.0.0/8,bogus") == nil)
        #expect(IPNetwork.list("10.0.0.0/33") == nil)
    }
}
