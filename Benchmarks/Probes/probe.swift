import Glibc

// Start-up probe: read an event on stdin and decode it, with FoundationEssentials only or, when
// compiled with -D FULL_FOUNDATION, with full Foundation.
#if FULL_FOUNDATION
    import Foundation
#else
    import FoundationEssentials
#endif

struct Event: Decodable {
    let version: String?
    let body: String?
}

var bytes: [UInt8] = []
var chunk = [UInt8](repeating: 0, count: 65_536)
while case let got = read(0, &chunk, chunk.count), got > 0 { bytes += chunk[0..<got] }
let event = try JSONDecoder().decode(Event.self, from: Data(bytes))
print(event.body?.count ?? 0)
