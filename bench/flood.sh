#!/usr/bin/env bash
# Intake under a flood (issue 16, acceptance check 2): one clueline server on
# loopback; for each attack strategy in turn, an attacker pinned to one core
# floods it while honest clients report and follow up at a phone's pace.
# Prints per strategy the honest success rate and latency (without their
# own proof of work), what the attacker got, the server's largest RSS and
# the data directory's growth; then one PASS/FAIL line per criterion. See
# bench/README.md, "Intake under a flood".
#
#   bench/flood.sh                                  # every strategy, 40 s each
#   DURATION=10 STRATEGIES="none valid" bench/flood.sh
#
# Environment: BUILD (build directory, default build), SKIP_BUILD=1,
# CLUELINE (the server binary, default $BUILD/app/clueline),
# DURATION (seconds of honest clients per strategy, 40), STRATEGIES (the
# list below), HONEST_CLIENTS (4), PACE_MS (pause between a client's
# operations, 1000-2000), ATTACK_CPU (the attacker's core, the last one),
# ATTACK_CONNECTIONS (concurrent requests of the cheap floods, 32), HOLD
# (connections of the idle and slowloris strategies, 12000), SLOW_INTERVAL_MS
# (a slowloris connection's pause between bytes, 1000), MAX_CONNECTIONS (the
# server's server.max_connections, 10000), MESSAGE_BYTES (plaintext of each
# flood message, 200000), RAMP_SECONDS (longest set-up of the held
# connections, 60), SETTLE_SECONDS (pause between strategies, 3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${BUILD:-build}"
[[ "$BUILD" = /* ]] || BUILD="$ROOT/$BUILD"
DURATION="${DURATION:-40}"
ALL_STRATEGIES="none no-pow wrong-pow replay foreign lookup-free route idle slowloris sessions messages lookup-paid valid attachments"
# lookup-paid, valid and attachments raise prices that take minutes to fall
# back: last.
STRATEGIES="${STRATEGIES:-$ALL_STRATEGIES}"
HONEST_CLIENTS="${HONEST_CLIENTS:-4}"
PACE_MS="${PACE_MS:-1000-2000}"
ATTACK_CPU="${ATTACK_CPU:-$(($(nproc) - 1))}"
ATTACK_CONNECTIONS="${ATTACK_CONNECTIONS:-32}"
HOLD="${HOLD:-12000}"
SLOW_INTERVAL_MS="${SLOW_INTERVAL_MS:-1000}"
MAX_CONNECTIONS="${MAX_CONNECTIONS:-10000}"
MESSAGE_BYTES="${MESSAGE_BYTES:-200000}"
RAMP_SECONDS="${RAMP_SECONDS:-60}"
SETTLE_SECONDS="${SETTLE_SECONDS:-3}"
# Acceptance (issue 16).
MIN_SUCCESS_PCT=99
MAX_P99_MS=1000
MAX_RSS_MB=512

BENCH_NAME=flood
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"

for strategy in $STRATEGIES; do
  [[ " $ALL_STRATEGIES " == *" $strategy "* ]] || die "unknown strategy $strategy (known: $ALL_STRATEGIES)"
done

CLUELINE_PID=""
ATTACK_PID=""
SAMPLER_PID=""
WORK=""
cleanup() {
  local status=$?
  for pid in $SAMPLER_PID $ATTACK_PID; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  # SIGTERM: clueline drains and closes RocksDB.
  if [[ -n "$CLUELINE_PID" ]]; then
    kill -TERM "$CLUELINE_PID" 2>/dev/null || true
    wait "$CLUELINE_PID" 2>/dev/null || true
  fi
  [[ -n "$WORK" ]] && rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  if [[ ! -f "$BUILD/build.ninja" && ! -f "$BUILD/Makefile" ]]; then
    log "configuring $BUILD"
    nice cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
  fi
  log "building clueline and clueline_flood in $BUILD"
  nice cmake --build "$BUILD" --target clueline clueline_flood >&2
fi
# CLUELINE: another server binary to measure (a baseline build, say).
CLUELINE="${CLUELINE:-$BUILD/app/clueline}"
FLOOD="$BUILD/bench/clueline_flood"
[[ -x "$CLUELINE" && -x "$FLOOD" ]] || die "$CLUELINE or $FLOOD is missing"
command -v taskset >/dev/null || die "taskset (util-linux) is needed to pin the attacker"
((ATTACK_CPU < $(nproc))) || die "ATTACK_CPU=$ATTACK_CPU: this machine has $(nproc) cores"
# The held connections, on the server and in the attacker.
ulimit -n "$(ulimit -Hn)"
if (($(ulimit -n) < HOLD + 1000)); then
  log "warning: $(ulimit -n) file descriptors for HOLD=$HOLD connections"
fi

# Under the build directory, not /tmp: a tmpfs would make syncs free.
WORK="$(mktemp -d "$BUILD/flood.XXXXXX")"
DATA="$WORK/data"
"$CLUELINE" demo --data-dir "$DATA" --setup-only >"$WORK/demo.log" 2>&1 ||
  die "clueline demo --setup-only failed: $(tail -n 5 "$WORK/demo.log")"
SITES="$DATA/demo-sites.json"
[[ -f "$SITES" ]] || die "$SITES was not written"

PORT="$(free_port)"
OPS_PORT="$(free_port)"
# Defaults everywhere but the connection limit: the prices and limits under
# test are the shipped ones.
cat >"$WORK/clueline.toml" <<EOF
[server]
address = "127.0.0.1"
port = $PORT
tls_certificate = "$DATA/demo-cert.pem"
tls_private_key = "$DATA/demo-key.pem"
max_connections = $MAX_CONNECTIONS

[ops]
address = "127.0.0.1"
port = $OPS_PORT

[storage]
data_dir = "$DATA"

[log]
access_log = false
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

# The value of key=value field $2 in line $1.
field() {
  awk -v key="$2" '{
    for (i = 1; i <= NF; i++) if (index($i, key "=") == 1) { print substr($i, length(key) + 2); exit }
  }' <<<"$1"
}

# The value of metric $2 (with its labels) in the /metrics text $1; 0 if absent.
metric() {
  awk -v name="$2" '$1 == name { value = $2 } END { print value == "" ? 0 : value }' <<<"$1"
}

# Writes the largest VmRSS (KiB) of process $1 to file $2 until killed.
sample_rss() {
  local largest=0 rss
  echo 0 >"$2"
  while kill -0 "$1" 2>/dev/null; do
    rss="$(rss_kib "$1")"
    if ((rss > largest)); then
      largest=$rss
      echo "$largest" >"$2"
    fi
    sleep 0.2
  done
}

log "clueline on port $PORT; strategies: $STRATEGIES; ${DURATION}s each, $HONEST_CLIENTS honest clients, attacker on CPU $ATTACK_CPU"
declare -A HONEST ATTACK RSS_MB DISK_MB PRICES
for strategy in $STRATEGIES; do
  before_metrics="$(http_body "$OPS_PORT" /metrics)"
  disk_before="$(du -sb "$DATA" | cut -f1)"
  # What the strategy before left (freed memory the allocator still holds).
  rss_start_mb=$(($(rss_kib "$CLUELINE_PID") / 1024))
  # Resets VmHWM, so that the peak read below is this strategy's.
  echo 5 >"/proc/$CLUELINE_PID/clear_refs" 2>/dev/null || true
  sample_rss "$CLUELINE_PID" "$WORK/rss.$strategy" &
  SAMPLER_PID=$!

  # Made here, so that the wait below never looks for a file not yet there.
  : >"$WORK/attack.$strategy.out"
  taskset -c "$ATTACK_CPU" "$FLOOD" attack --strategy "$strategy" --port "$PORT" --sites "$SITES" \
    --duration $((DURATION + 120)) --connections "$ATTACK_CONNECTIONS" --hold "$HOLD" \
    --slow-interval-ms "$SLOW_INTERVAL_MS" --message-bytes "$MESSAGE_BYTES" \
    --ramp-seconds "$RAMP_SECONDS" >"$WORK/attack.$strategy.out" 2>"$WORK/attack.$strategy.err" &
  ATTACK_PID=$!
  deadline=$((SECONDS + RAMP_SECONDS + 120))
  until grep -q '^ready$' "$WORK/attack.$strategy.out"; do
    kill -0 "$ATTACK_PID" 2>/dev/null || break
    ((SECONDS < deadline)) || break
    sleep 0.2
  done
  grep -q '^ready$' "$WORK/attack.$strategy.out" ||
    log "$strategy: the attacker did not get ready: $(tail -n 3 "$WORK/attack.$strategy.err")"

  "$FLOOD" honest --port "$PORT" --sites "$SITES" --clients "$HONEST_CLIENTS" \
    --duration "$DURATION" --pace-ms "$PACE_MS" >"$WORK/honest.$strategy.out" \
    2>"$WORK/honest.$strategy.err" || log "$strategy: the honest clients exited with status $?"

  kill -TERM "$ATTACK_PID" 2>/dev/null || true
  wait "$ATTACK_PID" 2>/dev/null || true
  ATTACK_PID=""
  kill -TERM "$SAMPLER_PID" 2>/dev/null || true
  wait "$SAMPLER_PID" 2>/dev/null || true
  SAMPLER_PID=""
  kill -0 "$CLUELINE_PID" 2>/dev/null || die "clueline exited during $strategy: $(tail -n 5 "$WORK/clueline.err")"

  sampled="$(cat "$WORK/rss.$strategy")"
  peak="$(awk '/^VmHWM:/ {print $2}' "/proc/$CLUELINE_PID/status")"
  ((peak > sampled)) || peak=$sampled
  RSS_MB[$strategy]="$(awk -v k="$peak" 'BEGIN { printf "%.0f", k / 1024 }')"
  disk_after="$(du -sb "$DATA" | cut -f1)"
  DISK_MB[$strategy]="$(awk -v a="$disk_after" -v b="$disk_before" 'BEGIN { printf "%.1f", (a - b) / 1e6 }')"
  after_metrics="$(http_body "$OPS_PORT" /metrics)"
  rejected_name='clueline_connections_rejected_total{listener="public"}'
  closed_name='clueline_connections_idle_closed_total{listener="public"}'
  rejected=$(($(metric "$after_metrics" "$rejected_name") - $(metric "$before_metrics" "$rejected_name")))
  closed=$(($(metric "$after_metrics" "$closed_name") - $(metric "$before_metrics" "$closed_name")))
  PRICES[$strategy]="report_bits_now=$(metric "$after_metrics" clueline_intake_report_difficulty) lookup_bits_now=$(metric "$after_metrics" clueline_intake_lookup_difficulty) sessions=$(metric "$after_metrics" clueline_intake_followup_sessions) connections_rejected=$rejected idle_closed=$closed rss_start_mb=$rss_start_mb"
  HONEST[$strategy]="$(grep '^honest ' "$WORK/honest.$strategy.out" || true)"
  ATTACK[$strategy]="$(grep '^attack ' "$WORK/attack.$strategy.out" || true)"
  log "$strategy: $(field "${HONEST[$strategy]}" ok)/$(field "${HONEST[$strategy]}" operations) honest operations ok, p99 $(field "${HONEST[$strategy]}" p99_ms) ms; attacker $(field "${ATTACK[$strategy]}" rate) requests/s; RSS ${RSS_MB[$strategy]} MB"
  sleep "$SETTLE_SECONDS"
done

# ---- figures ----
echo "clueline under a flood: ${DURATION}s per strategy, $HONEST_CLIENTS honest clients (one operation every $PACE_MS ms each), attacker pinned to CPU $ATTACK_CPU of $(nproc)"
printf '%-12s %9s %8s %8s %8s %8s %10s %11s %9s %8s %8s %11s\n' \
  strategy "honest" "success" "p50 ms" "p99 ms" "max ms" "attack r/s" "reports/min" "ok/min" "RSS MB" "disk MB" "honest bits"
for strategy in $STRATEGIES; do
  h="${HONEST[$strategy]}"
  a="${ATTACK[$strategy]}"
  printf '%-12s %9s %7s%% %8s %8s %8s %10s %11s %9s %8s %8s %11s\n' "$strategy" \
    "$(field "$h" ok)/$(field "$h" operations)" "$(field "$h" success_pct)" \
    "$(field "$h" p50_ms)" "$(field "$h" p99_ms)" "$(field "$h" max_ms)" \
    "$(field "$a" rate)" "$(field "$a" reports_per_minute)" "$(field "$a" ok_per_minute)" \
    "${RSS_MB[$strategy]}" "${DISK_MB[$strategy]}" \
    "$(field "$h" report_bits_mean)/$(field "$h" lookup_bits_mean)"
done
echo "(honest bits: the mean difficulty of the report / lookup proofs the honest clients solved)"
if [[ -n "${ATTACK[attachments]:-}" ]]; then
  mib_per_minute="$(field "${ATTACK[attachments]}" attachment_mib_per_minute)"
  echo "attachments: the attacker stored $mib_per_minute MiB of attachment a minute; at that rate the default limits.attachment_quota_bytes (64 GiB) is full after $(awk -v r="$mib_per_minute" 'BEGIN { if (r > 0) printf "%.1f", 65536 / r / 60; else print "never" }') hours"
fi
echo
echo "per strategy, as measured:"
for strategy in $STRATEGIES; do
  echo "$strategy:"
  echo "  ${HONEST[$strategy]:-honest: no result ($(tail -n 1 "$WORK/honest.$strategy.err" 2>/dev/null))}"
  echo "  ${ATTACK[$strategy]:-attack: no result ($(tail -n 1 "$WORK/attack.$strategy.err" 2>/dev/null))}"
  echo "  server: ${PRICES[$strategy]} rss_max_mb=${RSS_MB[$strategy]} disk_growth_mb=${DISK_MB[$strategy]}"
done
echo

# ---- acceptance ----
lowest="" lowest_at="" highest="" highest_at="" largest=0 largest_at=""
for strategy in $STRATEGIES; do
  h="${HONEST[$strategy]}"
  success="$(field "$h" success_pct)"
  p99="$(field "$h" p99_ms)"
  rss="${RSS_MB[$strategy]}"
  # A strategy without honest figures fails both criteria.
  [[ -n "$success" ]] || success=0
  [[ -n "$p99" ]] || p99=999999
  if [[ -z "$lowest" ]] || awk -v a="$success" -v b="$lowest" 'BEGIN { exit !(a < b) }'; then
    lowest=$success lowest_at=$strategy
  fi
  if [[ -z "$highest" ]] || awk -v a="$p99" -v b="$highest" 'BEGIN { exit !(a > b) }'; then
    highest=$p99 highest_at=$strategy
  fi
  if ((rss > largest)); then
    largest=$rss largest_at=$strategy
  fi
done
failed=0
verdict() {  # $1: the criterion's text; the criterion is the command after it
  local text="$1"
  shift
  if "$@"; then
    echo "PASS $text"
  else
    echo "FAIL $text"
    failed=1
  fi
}
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
verdict "honest success >= ${MIN_SUCCESS_PCT}% in every strategy (lowest: ${lowest}% in $lowest_at)" \
  at_least "$lowest" "$MIN_SUCCESS_PCT"
verdict "honest p99 <= ${MAX_P99_MS} ms in every strategy (highest: $highest ms in $highest_at)" \
  at_least "$MAX_P99_MS" "$highest"
verdict "server RSS <= ${MAX_RSS_MB} MB throughout (largest: $largest MB in $largest_at)" \
  at_least "$MAX_RSS_MB" "$largest"
exit "$failed"
