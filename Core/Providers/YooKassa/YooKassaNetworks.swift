import Base

/// The networks YooKassa publishes as the sources of its notifications.
/// `YOOKASSA_TRUSTED_NETWORKS` replaces this list when YooKassa changes it.
package enum YooKassaNetworks {
    package static let published: [IPNetwork] = [
        "185.71.76.0/27", "185.71.77.0/27", "77.75.153.0/25", "77.75.156.11", "77.75.156.35", "77.75.154.128/25",
        "2a02:5180::/32",
    ].compactMap(IPNetwork.init)
}
