# Shared by the scripts: the project root and a PATH that has the Swift toolchain.
# shellcheck shell=bash
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi

# A free TCP port on 127.0.0.1.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits up to 5 s until `test FLAG PATH` holds (-s: a non-empty file, -S: a socket).
wait_for() {
    for _ in $(seq 100); do [ "$1" "$2" ] && return 0; sleep 0.05; done
    echo "$2 did not appear" >&2
    return 1
}

# Starts the provider stand-ins from BIN in the background, their `export …` lines going to
# FILE and their log to LOG, and waits until they listen. Sets standins_pid.
start_standins() {
    "$1/standins" --ready-file "$2" >/dev/null 2>"${3:-/dev/null}" &
    standins_pid=$!
    wait_for -s "$2"
}
