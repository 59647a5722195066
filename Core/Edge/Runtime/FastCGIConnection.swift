import Glibc

/// One accepted FastCGI connection, non-blocking, where every read and write has a deadline:
/// a peer that stops sending or stops reading is given up on instead of holding the process.
struct FastCGIConnection {
    /// What a read came to.
    enum Received {
        case bytes(ArraySlice<UInt8>)
        case closed
        case timedOut
    }

    let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 65_536)

    init(fd: Int32) {
        self.fd = fd
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    /// The next bytes the peer sends before `deadline`.
    mutating func receive(before deadline: ContinuousClock.Instant) -> Received {
        while true {
            let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got > 0 { return .bytes(buffer[0..<got]) }
            if got == 0 { return .closed }
            switch errno {
            case EINTR: continue
            case EAGAIN: guard wait(for: Int16(POLLIN), until: deadline) else { return .timedOut }
            default: return .closed
            }
        }
    }

    /// Writes every byte before `deadline`; false when the peer is gone or too slow.
    func send(_ bytes: [UInt8], before deadline: ContinuousClock.Instant) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if written > 0 {
                    offset += written
                } else if written < 0, errno == EINTR {
                    continue
                } else if written < 0, errno == EAGAIN {
                    guard wait(for: Int16(POLLOUT), until: deadline) else { return false }
                } else {
                    return false
                }
            }
            return true
        }
    }

    /// Waits until the socket is ready for `events`; false once `deadline` has passed.
    private func wait(for events: Int16, until deadline: ContinuousClock.Instant) -> Bool {
        while true {
            let left = ContinuousClock.now.duration(to: deadline).components
            guard left.seconds > 0 || left.attoseconds > 0 else { return false }
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(
                &descriptor, 1, Int32(clamping: left.seconds * 1000 + left.attoseconds / 1_000_000_000_000_000 + 1))
            if ready > 0 { return true }
            if ready < 0, errno != EINTR { return false }
        }
    }
}
