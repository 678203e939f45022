#!/usr/bin/env bash
# Installs every build and test dependency of clueline from Debian 12 packages.
# Idempotent: packages already present are skipped, so `make` may call it on
# every run. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  build-essential g++ cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev
  libssl-dev libsodium-dev librocksdb-dev libzxing-dev
  libcairo2-dev libpango1.0-dev libpng-dev libturbojpeg0-dev poppler-utils
  libtomlplusplus-dev libgtest-dev libjemalloc-dev liboath-dev
  clang libclang-rt-14-dev clang-format
  openssl curl ca-certificates
  # /metrics is checked by a strict exposition parser and Prometheus's linter.
  python3-prometheus-client prometheus
  # The citizen pages are tested in a real browser (playwright-core drives
  # Debian's chromium; no browser download is possible); Chinese text needs
  # the CJK fonts, in the browser as on the printed posters.
  chromium fonts-noto-cjk fonts-dejavu-core
)
# Node.js runs the browser crypto module's tests; any Node.js >= 18 will do,
# so an existing installation (e.g. from another repository) is kept.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "bootstrap: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
