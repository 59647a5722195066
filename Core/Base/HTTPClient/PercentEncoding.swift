/// RFC 3986 percent-encoding of one URL component: everything but unreserved characters.
package enum PercentEncoding {
    package static func component(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            out += ASCII.isUnreserved(byte) ? String(UnicodeScalar(byte)) : "%" + [byte].hexString.uppercased()
        }
        return out
    }
}
