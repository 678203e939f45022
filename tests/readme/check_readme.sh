#!/usr/bin/env bash
# Runs the shell blocks of README.md that are marked for it, in README order,
# in one shell, and fails on the first one that does not exit 0, printing the
# block and its output. The marked blocks set up a fresh demo, start its
# server in the background, use it, stop it and look at the database with it
# stopped: what a reader pastes into one terminal is exactly what runs here,
# so the README cannot drift from the binary.
#
# Marker convention: the line right before a ```sh (or ```bash) fence is
#
#   <!-- readme-test -->
#
# (an HTML comment, invisible on GitHub). Unmarked blocks (make, production
# paths under /etc, fuzzing) are not run. A marker not followed by a fence
# fails the test.
#
# How the blocks run: each is sourced into this one shell under
# set -euo pipefail, so variables, background jobs and the working directory
# carry over from block to block as in a reader's terminal; stdin is
# /dev/null, so a passphrase prompt fails at once (blocks use
# --passphrase-file). They start in a new empty directory (mode 0700), with
# `clueline` on PATH (a symlink to CLUELINE_BINARY), HOME inside that
# directory, none of the caller's CLUELINE_* variables, and
# CLUELINE_SERVER_PORT and CLUELINE_OPS_PORT set to free ports (the README's
# URLs follow them, so a reader without them gets 8443 and 9090). Background
# jobs a block leaves running (the demo server, if a later block failed) are
# sent SIGTERM at the end.
#
# On failure, and with README_TEST_KEEP=1 also on success, the directory
# with every block's output (.logs/) is kept and named.
#
# usage: check_readme.sh CLUELINE_BINARY SOURCE_DIR
set -euo pipefail

rt_binary=${1:?usage: check_readme.sh CLUELINE_BINARY SOURCE_DIR}
rt_source_dir=${2:?usage: check_readme.sh CLUELINE_BINARY SOURCE_DIR}
rt_readme=$rt_source_dir/README.md
[ -x "$rt_binary" ] || { echo "readme: $rt_binary is not an executable" >&2; exit 2; }
[ -f "$rt_readme" ] || { echo "readme: no $rt_readme" >&2; exit 2; }
rt_binary=$(cd "$(dirname "$rt_binary")" && pwd)/$(basename "$rt_binary")

rt_work=$(mktemp -d "${TMPDIR:-/tmp}/clueline-readme.XXXXXX")
chmod 700 "$rt_work"
trap 'rm -rf "$rt_work"' EXIT  # until the blocks run (rt_finish below)
mkdir -m 700 "$rt_work/.bin" "$rt_work/.home" "$rt_work/.blocks" "$rt_work/.logs"
ln -s "$rt_binary" "$rt_work/.bin/clueline"

# ---- the marked blocks -------------------------------------------------------------
# .blocks/NNN.LINE.sh, LINE being the README line of the opening fence.
awk -v out="$rt_work/.blocks" '
  function fail(message) {
    print "readme: README.md:" NR ": " message > "/dev/stderr"
    bad = 1
    exit 1
  }
  inside {
    if ($0 ~ /^```[ \t]*$/) { close(file); inside = 0; next }
    print > file
    next
  }
  marked {
    if ($0 !~ /^```(sh|bash)[ \t]*$/) fail("<!-- readme-test --> must be followed by a ```sh fence")
    n += 1
    file = sprintf("%s/%03d.%d.sh", out, n, NR)
    printf "" > file
    inside = 1
    marked = 0
    next
  }
  /^<!-- *readme-test/ {
    if ($0 !~ /^<!-- readme-test -->[ \t]*$/) fail("a marker is exactly <!-- readme-test -->")
    marked = 1
  }
  END {
    if (bad) exit 1
    if (inside) fail("a marked block is not closed")
    if (marked) fail("<!-- readme-test --> at the end of the file")
  }
' "$rt_readme"
rt_blocks=("$rt_work"/.blocks/*.sh)
if [ ! -e "${rt_blocks[0]}" ]; then
  echo "readme: no block of README.md is marked <!-- readme-test -->" >&2
  exit 1
fi

# ---- the environment the blocks see -------------------------------------------------
exec 3>&1 4>&2  # the script's own output, whatever a block redirects
while IFS= read -r rt_name; do unset "$rt_name"; done < <(compgen -e | grep '^CLUELINE_' || true)
rt_free_ports=$(python3 -c '
import socket
sockets = [socket.socket() for _ in range(2)]
for s in sockets: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))')
read -r CLUELINE_SERVER_PORT CLUELINE_OPS_PORT <<<"$rt_free_ports"
export CLUELINE_SERVER_PORT CLUELINE_OPS_PORT
export PATH="$rt_work/.bin:$PATH" HOME="$rt_work/.home"
unset XDG_CONFIG_HOME

rt_current=""  # the block being run, and its output
rt_current_log=""
rt_started=$(date +%s)

rt_line() { local base; base=$(basename "$1" .sh); echo "README.md:${base#*.}"; }

rt_show() {  # FILE TITLE
  echo "---- $2" >&4
  sed 's/^/    /' "$1" >&4 || true
}

# SIGTERM to the background jobs the blocks left, then up to 20 s for them
# to end (the demo drains its requests and closes the database).
rt_stop_jobs() {
  local pids waited=0
  pids=$(jobs -p)
  [ -n "$pids" ] || return 0
  echo "readme: stopping the background jobs the blocks left running: $pids" >&4
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  # shellcheck disable=SC2086
  while kill -0 $pids 2>/dev/null; do
    if [ "$waited" -ge 200 ]; then
      # shellcheck disable=SC2086
      kill -KILL $pids 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  wait 2>/dev/null || true
}

rt_finish() {
  local status=$?
  set +e
  if [ "$status" -ne 0 ] && [ -n "$rt_current" ]; then
    echo "readme: FAILED: the block at $(rt_line "$rt_current") exited with status $status" >&4
    rt_show "$rt_current" "the block"
    [ -f "$rt_current_log" ] && rt_show "$rt_current_log" "its output (stdout and stderr)"
    # Text logs the blocks wrote themselves, e.g. the server's (not RocksDB's).
    while IFS= read -r rt_log; do
      grep -Iq . "$rt_log" 2>/dev/null || continue
      tail -n 40 "$rt_log" >"$rt_work/.logs/tail" 2>/dev/null
      rt_show "$rt_work/.logs/tail" "the end of ${rt_log#"$rt_work"/}"
    done < <(find "$rt_work" -name '*.log' -not -path "$rt_work/.logs/*" -not -path '*/rocksdb/*' 2>/dev/null)
  fi
  rt_stop_jobs
  if [ "$status" -eq 0 ] && [ -z "${README_TEST_KEEP:-}" ]; then
    rm -rf "$rt_work"
  else
    echo "readme: the run's files are kept in $rt_work" >&4
  fi
  exit "$status"
}
trap rt_finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- run them -----------------------------------------------------------------------
cd "$rt_work"
echo "readme: ${#rt_blocks[@]} marked blocks of $rt_readme, with $rt_binary," \
  "ports $CLUELINE_SERVER_PORT (public) and $CLUELINE_OPS_PORT (ops), in $rt_work" >&3
rt_count=0
for rt_block in "${rt_blocks[@]}"; do
  rt_current=$rt_block
  rt_current_log="$rt_work/.logs/$(basename "$rt_block" .sh).log"
  rt_t0=$(date +%s%N)
  # shellcheck disable=SC1090
  source "$rt_block" </dev/null >"$rt_current_log" 2>&1
  rt_count=$((rt_count + 1))
  echo "readme: ok  $(rt_line "$rt_block") in $((($(date +%s%N) - rt_t0) / 1000000)) ms" >&3
done
rt_current=""
if [ -n "$(jobs -p)" ]; then
  echo "readme: note: the blocks left a background job running (the README should stop its server)" >&3
fi
echo "readme: all $rt_count marked blocks of README.md passed in $(($(date +%s) - rt_started)) s" >&3
