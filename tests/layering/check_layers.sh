#!/usr/bin/env bash
# The module rules of docs/architecture.md, checked on the source tree:
#   app -> server -> services -> {routing, storage, crypto, qr} -> common;
#   only server/ includes Beast; only crypto/ calls libsodium.
# Prints every include that breaks a rule and exits 1 if there is one.
set -euo pipefail
root=${1:?usage: check_layers.sh SOURCE_DIR}
cd "$root"
status=0

# forbid DIRS PATTERN WHY: no file under DIRS may match PATTERN.
forbid() {
  local dirs=$1 pattern=$2 why=$3 hits
  # shellcheck disable=SC2086
  hits=$(grep -rnE --include='*.cpp' --include='*.hpp' "$pattern" $dirs 2>/dev/null || true)
  if [ -n "$hits" ]; then
    echo "layering: $why:"
    echo "$hits" | sed 's/^/  /'
    status=1
  fi
}

lower="common crypto storage routing qr include/clueline/common include/clueline/crypto
       include/clueline/storage include/clueline/routing include/clueline/qr"
forbid "app services include/clueline/services $lower web" '#include <boost/beast' \
  "Beast is included only in server/"
forbid "app server services include/clueline/server include/clueline/services storage include/clueline/storage routing qr" \
  '#include <sodium\.h>|\b(crypto_(generichash|sign|box|secretstream|aead|pwhash|kdf)_?[a-z0-9_]*|randombytes_[a-z]+|sodium_[a-z]+)\(' \
  "libsodium is called only in crypto/"
forbid "services include/clueline/services $lower" '#include "clueline/(server|app)/' \
  "services and the modules below it do not include the server"
forbid "$lower" '#include "clueline/services/' \
  "the modules below services do not include it"
forbid "common include/clueline/common" '#include "clueline/(crypto|storage|routing|qr)/' \
  "common includes no other module"

if [ "$status" -eq 0 ]; then echo "layering: every include follows the module rules"; fi
exit "$status"
