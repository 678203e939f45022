#!/usr/bin/env bash
# Memory per idle TLS connection, clueline and nginx on this machine in one
# run: each server holds N keep-alive connections that have made one
# request and then wait; the figure is the growth of the server's
# proportional set size (PSS, all its processes) divided by N. See
# bench/README.md.
#
#   bench/idle-connections.sh            # COUNTS="1000 5000", BUILD=build
#
# Environment: BUILD (build directory), COUNTS (connection counts to
# measure), SKIP_BUILD=1 (use the clueline binary already in BUILD).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${BUILD:-build}"
[[ "$BUILD" = /* ]] || BUILD="$ROOT/$BUILD"
COUNTS="${COUNTS:-1000 5000}"
BENCH_NAME=idle-connections
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"

SERVER_PID=""
WORK=""
cleanup() {
  local status=$?
  [[ -n "$SERVER_PID" ]] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  [[ -n "$WORK" ]] && rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  [[ -f "$BUILD/build.ninja" ]] ||
    nice cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
  nice cmake --build "$BUILD" --target clueline >&2
fi
CLUELINE="$BUILD/app/clueline"
[[ -x "$CLUELINE" ]] || die "$CLUELINE is missing"
install_nginx
NGINX="$(nginx_binary)"
# Enough descriptors for the largest count, on server and client alike.
ulimit -n "$(ulimit -Hn)"

WORK="$(mktemp -d)"
chmod 0755 "$WORK"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
chmod 0644 "$WORK/key.pem"

# PSS in KiB of process $1 and its children (nginx's workers).
pss_kib() {
  local total=0 pid
  for pid in "$1" $(pgrep -P "$1" || true); do
    total=$((total + $(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")))
  done
  echo "$total"
}

# Starts "$@" as the server on $PORT, then for each count: the PSS growth
# per held connection, as "name count KiB-per-connection".
measure() {
  local name="$1" path="$2"
  shift 2
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  SERVER_PID=$!
  wait_for_port "$PORT" 30 || die "$name did not start: $(tail -n 5 "$WORK/$name.err")"
  # One connection first, so that lazily set-up state is not counted.
  measure_once "$name" 1 "$path" >/dev/null
  local count
  for count in $COUNTS; do measure_once "$name" "$count" "$path" >>"$WORK/results"; done
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

measure_once() {
  local name="$1" count="$2" path="$3"
  sleep 1
  local before after
  before="$(pss_kib "$SERVER_PID")"
  coproc HOLDER { python3 "$ROOT/bench/hold_connections.py" "$PORT" "$count" "$path"; }
  local line=""
  read -r line <&"${HOLDER[0]}" || true
  [[ "$line" == "ready $count" ]] || die "$name: the holder said '$line'"
  sleep 2  # released buffers, settled allocator
  after="$(pss_kib "$SERVER_PID")"
  exec {HOLDER[1]}>&-
  wait "$HOLDER_PID" 2>/dev/null || true
  awk -v n="$name" -v c="$count" -v b="$before" -v a="$after" \
    'BEGIN { printf "%s %d %.1f\n", n, c, (a - b) / c }'
}

PORT="$(free_port)"
cat >"$WORK/nginx.conf" <<CONF
worker_processes $(nproc);
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path $WORK/body;
  proxy_temp_path $WORK/proxy;
  fastcgi_temp_path $WORK/fastcgi;
  uwsgi_temp_path $WORK/uwsgi;
  scgi_temp_path $WORK/scgi;
  keepalive_timeout 600s;
  server {
    listen 127.0.0.1:$PORT ssl;
    ssl_certificate $WORK/cert.pem;
    ssl_certificate_key $WORK/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / { return 200; }
  }
}
CONF
measure nginx / "$NGINX" -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log"

PORT="$(free_port)"
OPS_PORT="$(free_port)"
cat >"$WORK/clueline.toml" <<CONF
[server]
address = "127.0.0.1"
port = $PORT
threads = $(nproc)
tls_certificate = "$WORK/cert.pem"
tls_private_key = "$WORK/key.pem"
idle_timeout_seconds = 600
max_connections = 20000
[ops]
address = "127.0.0.1"
port = $OPS_PORT
min_free_disk_bytes = 0
[storage]
data_dir = "$WORK/data"
[log]
access_log = false
CONF
measure clueline / "$CLUELINE" serve --config "$WORK/clueline.toml"
RESULTS="$(cat "$WORK/results")"

echo "idle TLS connections, PSS growth per connection (KiB), $(nproc) cores"
for count in $COUNTS; do
  n="$(awk -v c="$count" '$1 == "nginx" && $2 == c {print $3}' <<<"$RESULTS")"
  m="$(awk -v c="$count" '$1 == "clueline" && $2 == c {print $3}' <<<"$RESULTS")"
  awk -v c="$count" -v n="$n" -v m="$m" \
    'BEGIN { printf "%6d connections: nginx %.1f KiB, clueline %.1f KiB, ratio %.2f\n", c, n, m, (n > 0 ? m / n : 0) }'
done
