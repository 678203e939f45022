# Shell helpers of the bench/ scripts: logging, nginx, free ports, plain HTTP
# GETs, process RSS. Sourced; the script sets BENCH_NAME first.

log() { echo "$BENCH_NAME: $*" >&2; }
die() { log "$*"; exit 1; }

as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

install_nginx() {
  command -v nginx >/dev/null 2>&1 && return 0
  [[ -x /usr/sbin/nginx ]] && return 0
  log "installing nginx (Debian package nginx-light, else nginx)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light ||
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx
}

nginx_binary() {
  command -v nginx 2>/dev/null || echo /usr/sbin/nginx
}

# True if something accepts TCP connections on 127.0.0.1:$1.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A port nobody listens on, not among those already handed out.
TAKEN_PORTS=" "
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 40000))
    if [[ "$TAKEN_PORTS" != *" $port "* ]] && ! port_in_use "$port"; then
      TAKEN_PORTS+="$port "
      echo "$port"
      return 0
    fi
  done
  die "no free port found"
}

# Waits up to $2 seconds until 127.0.0.1:$1 accepts connections.
wait_for_port() {
  local deadline=$((SECONDS + $2))
  until port_in_use "$1"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

# The status code of GET http://127.0.0.1:$1$2 (plain HTTP; no curl needed).
http_status() {
  local line
  line="$( (exec 3<>"/dev/tcp/127.0.0.1/$1" &&
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&3 &&
    head -n 1 <&3) 2>/dev/null || true)"
  echo "$line" | awk '{print $2}'
}

# The body of GET http://127.0.0.1:$1$2 (plain HTTP, as http_status).
http_body() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1" &&
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&3 &&
    sed '1,/^\r$/d' <&3) 2>/dev/null || true
}

# Resident set size of process $1 in KiB (0 once it is gone).
rss_kib() {
  awk '/^VmRSS:/ {print $2; found = 1} END {if (!found) print 0}' "/proc/$1/status" 2>/dev/null ||
    echo 0
}
