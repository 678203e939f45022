#!/usr/bin/env bash
# Durable report submissions per second against clueline, and the same load
# generator against nginx answering a 4 KB POST with `return 200` as the
# baseline, on this machine, in one run. See bench/README.md.
#
#   bench/intake-bench.sh                 # BUILD=build by default
#   BUILD=build-bench bench/intake-bench.sh
#
# Environment: BUILD (build directory, relative to the repository or
# absolute), CONNECTIONS (64), LOADGEN_THREADS (2), NGINX_SECONDS (15),
# COUNT (envelopes to submit, 200000: about 17 s at 12,000/s),
# SUBMIT_SECONDS (upper bound on the timed submit phase, 120), SKIP_BUILD=1
# (use the binaries already in BUILD), CLUELINE (the server binary, default
# $BUILD/app/clueline: another build to compare in the same session).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${BUILD:-build}"
[[ "$BUILD" = /* ]] || BUILD="$ROOT/$BUILD"
CONNECTIONS="${CONNECTIONS:-64}"
LOADGEN_THREADS="${LOADGEN_THREADS:-2}"
NGINX_SECONDS="${NGINX_SECONDS:-15}"
COUNT="${COUNT:-200000}"
SUBMIT_SECONDS="${SUBMIT_SECONDS:-120}"

BENCH_NAME=intake-bench
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"

NGINX_PID=""
CLUELINE_PID=""
WORK=""
cleanup() {
  local status=$?
  # SIGTERM first: clueline drains in-flight requests and closes RocksDB.
  for pid in $CLUELINE_PID $NGINX_PID; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $CLUELINE_PID $NGINX_PID; do
    wait "$pid" 2>/dev/null || true
  done
  [[ -n "$WORK" ]] && rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- build ----
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  if [[ ! -f "$BUILD/build.ninja" && ! -f "$BUILD/Makefile" ]]; then
    log "configuring $BUILD"
    nice cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
  fi
  log "building clueline and clueline_loadgen in $BUILD"
  nice cmake --build "$BUILD" --target clueline clueline_loadgen >&2
fi
# CLUELINE: another server binary to measure with the same load generator.
CLUELINE="${CLUELINE:-$BUILD/app/clueline}"
LOADGEN="$BUILD/bench/clueline_loadgen"
[[ -x "$CLUELINE" && -x "$LOADGEN" ]] || die "$CLUELINE or $LOADGEN is missing"

install_nginx
NGINX="$(nginx_binary)"

# The database goes under the build directory, not /tmp: /tmp may be a
# tmpfs, where a WAL sync costs nothing and "durable" would mean nothing.
WORK="$(mktemp -d "$BUILD/intake-bench.XXXXXX")"
chmod 0755 "$WORK"  # nginx workers may run as another user
if [[ "$(stat -f -c %T "$WORK")" == "tmpfs" ]]; then
  log "warning: $WORK is on tmpfs; the WAL syncs of the clueline run cost nothing there"
fi

# ---- (a) nginx: 4 KB POST answered by `return 200` ----
mkdir -p "$WORK/nginx"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$WORK/nginx/key.pem" -out "$WORK/nginx/cert.pem" 2>/dev/null
chmod 0644 "$WORK/nginx/key.pem"  # a throwaway key; the workers may not be root
NGINX_PORT="$(free_port)"
cat >"$WORK/nginx/nginx.conf" <<EOF
# One worker per core, as clueline uses one thread per core.
worker_processes $(nproc);
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events {
  worker_connections 4096;
}
http {
  access_log off;
  client_body_temp_path $WORK/nginx/client_body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  # Keep-alive without a per-connection request cap (nginx closes after
  # 1000 requests by default), as clueline has none.
  keepalive_timeout 65s;
  keepalive_requests 1000000000;
  server {
    listen 127.0.0.1:$NGINX_PORT ssl;
    ssl_certificate $WORK/nginx/cert.pem;
    ssl_certificate_key $WORK/nginx/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:SSL:1m;
    # A 4 KB body stays in memory, never in a temporary file.
    client_body_buffer_size 64k;
    client_max_body_size 1m;
    location / {
      return 200;
    }
  }
}
EOF
"$NGINX" -t -q -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log"
"$NGINX" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" &
NGINX_PID=$!
wait_for_port "$NGINX_PORT" 10 || die "nginx did not start: $(cat "$WORK/nginx/error.log")"

log "nginx: ${NGINX_SECONDS}s of 4 KB POSTs over $CONNECTIONS connections"
NGINX_STATUS=0
NGINX_OUT="$("$LOADGEN" --port "$NGINX_PORT" --method POST --path /intake --body-bytes 4096 \
  --connections "$CONNECTIONS" --threads "$LOADGEN_THREADS" --duration "$NGINX_SECONDS" \
  --label "nginx return 200, 4 KB POST")" || NGINX_STATUS=$?
echo "$NGINX_OUT" | head -n 1 >&2
kill -TERM "$NGINX_PID"
wait "$NGINX_PID" 2>/dev/null || true
NGINX_PID=""

# ---- (b) clueline: durable submissions ----
DATA="$WORK/clueline"
log "setting up a demo deployment in $DATA"
# The demo prints a poster QR code; keep it out of the benchmark output.
"$CLUELINE" demo --data-dir "$DATA" --setup-only >"$WORK/demo.log" 2>&1 ||
  die "clueline demo --setup-only failed: $(tail -n 5 "$WORK/demo.log")"
[[ -f "$DATA/demo-sites.json" ]] || die "$DATA/demo-sites.json was not written"
SITE_TOKEN="$(grep -o '"token" *: *"[A-Za-z0-9_-]*"' "$DATA/demo-sites.json" | head -n 1 |
  sed 's/.*"\([A-Za-z0-9_-]*\)"$/\1/')"
[[ ${#SITE_TOKEN} -eq 115 ]] || die "no 115-character site token in $DATA/demo-sites.json"

SERVER_PORT="$(free_port)"
OPS_PORT="$(free_port)"
cat >"$WORK/clueline.toml" <<EOF
[server]
address = "127.0.0.1"
port = $SERVER_PORT
tls_certificate = "$DATA/demo-cert.pem"
tls_private_key = "$DATA/demo-key.pem"

[ops]
address = "127.0.0.1"
port = $OPS_PORT

[storage]
data_dir = "$DATA"

[log]
access_log = false

# The benchmark measures the server, not the proof of work: difficulty 0,
# and no rise under load (every submission comes from one site). Challenges
# live long enough for phase 1 of the load generator (fetching and sealing
# COUNT envelopes) plus the timed run.
[pow]
difficulty = 0
max_difficulty = 0
challenge_lifetime_seconds = 900
EOF
"$CLUELINE" serve --config "$WORK/clueline.toml" >"$WORK/clueline.out" 2>"$WORK/clueline.err" &
CLUELINE_PID=$!
ready=""
for _ in $(seq 1 300); do
  if [[ "$(http_status "$OPS_PORT" /readyz)" == "200" ]]; then
    ready=yes
    break
  fi
  kill -0 "$CLUELINE_PID" 2>/dev/null || break
  sleep 0.1
done
[[ -n "$ready" ]] || die "clueline did not become ready: $(tail -n 5 "$WORK/clueline.err")"

log "clueline: $COUNT envelopes (category bribery) over $CONNECTIONS connections"
SUBMIT_STATUS=0
SUBMIT_OUT="$("$LOADGEN" --port "$SERVER_PORT" --submit --site-token "$SITE_TOKEN" \
  --category bribery --count "$COUNT" --connections "$CONNECTIONS" \
  --threads "$LOADGEN_THREADS" --duration "$SUBMIT_SECONDS")" || SUBMIT_STATUS=$?
echo "$SUBMIT_OUT" | head -n 1 >&2
kill -TERM "$CLUELINE_PID"
wait "$CLUELINE_PID" || log "clueline exited with status $?: $(tail -n 5 "$WORK/clueline.err")"
CLUELINE_PID=""

# ---- (c) the two lines and the ratio ----
NGINX_LINE="$(echo "$NGINX_OUT" | grep '^nginx' || true)"
SUBMIT_LINE="$(echo "$SUBMIT_OUT" | grep '^clueline submit:' || true)"
echo "$NGINX_LINE"
echo "$SUBMIT_LINE"
nginx_rate="$(echo "$NGINX_LINE" | sed -n 's/^[^:]*: \([0-9.]*\) .*/\1/p')"
submit_rate="$(echo "$SUBMIT_LINE" | sed -n 's/^[^:]*: \([0-9.]*\) .*/\1/p')"
if [[ -n "$nginx_rate" && -n "$submit_rate" ]]; then
  awk -v c="$submit_rate" -v n="$nginx_rate" \
    'BEGIN { printf "ratio clueline/nginx: %.2f\n", (n > 0 ? c / n : 0) }'
fi
((NGINX_STATUS == 0)) || die "the nginx run had errors (loadgen status $NGINX_STATUS)"
((SUBMIT_STATUS == 0)) || die "the clueline run had failures (loadgen status $SUBMIT_STATUS)"
