/// RFC 3986 percent-encoding of one URL component: everything but unreserved characters.
public enum PercentEncoding {
    public static func component(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let unreserved = (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7a)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
            out += unreserved ? String(UnicodeScalar(byte)) : "%" + [byte].hexString.uppercased()
        }
        return out
    }
}
