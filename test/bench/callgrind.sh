#!/usr/bin/env bash
# Instructions per request of the example app (valgrind/callgrind counts instructions, which are
# stable on a noisy machine, unlike timings). Marginal cost: Ir(2N requests) - Ir(N requests),
# divided by N, so start-up and shutdown cancel out. One keep-alive connection, sequential
# requests (no pipelining).
#
#   test/bench/callgrind.sh BUILD_DIR [PATH] [N]
set -euo pipefail
BUILD=${1:?build folder}
TARGET=${2:-/plaintext}
N=${3:-5000}
BIN=$BUILD/app/containerflare-basic
PORT=${PORT:-19787}

measure() {
  local count=$1 out
  out=$(mktemp -d)
  PORT=$PORT CF_LOG=warn valgrind --tool=callgrind --callgrind-out-file="$out/cg" "$BIN" 2>"$out/log" &
  local pid=$!
  python3 - "$PORT" "$TARGET" "$count" <<'PY'
import socket, sys, time
port, target, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
deadline = time.time() + 60
while True:
    try:
        s = socket.create_connection(("127.0.0.1", port)); break
    except OSError:
        if time.time() > deadline: raise
        time.sleep(0.05)  # waiting for valgrind to start the program
req = ("GET %s HTTP/1.1\r\nHost: bench\r\n\r\n" % target).encode()
for _ in range(count):
    s.sendall(req)
    buf = b""
    while True:
        buf += s.recv(65536)
        head, sep, rest = buf.partition(b"\r\n\r\n")
        if sep:
            length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
            while len(rest) < length: rest += s.recv(65536)
            break
s.close()
PY
  kill -TERM $pid
  wait $pid || true
  grep -E '^summary|^totals' "$out/cg" | head -1 | awk '{print $2}'
  rm -rf "$out"
}

a=$(measure "$N")
b=$(measure $((2 * N)))
echo "instructions per request ($TARGET, callgrind, marginal over $N requests): $(( (b - a) / N ))"
