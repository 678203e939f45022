// The option texts several commands' usage entries share, worded once, and
// the entries of the commands that work clues (usage_clues.cpp). Private to
// the usage library. Macros rather than constants because adjacent string
// literals are joined by the compiler, so that every entry stays one
// constant literal.
#pragma once

#include <span>

#include "usage.hpp"

#define CLUELINE_DATA_DIR_OPTIONS                                                      \
  "  --data-dir DIR    the data directory (its database is DIR/rocksdb)\n"             \
  "  --config FILE     instead of --data-dir: storage.data_dir of the configuration\n" \
  "                    serve would load (FILE, else $CLUELINE_CONFIG; CLUELINE_*\n"    \
  "                    overrides apply)\n"

#define CLUELINE_SERVER_OPTIONS                                                    \
  "  --server URL      the server's https:// URL, e.g. https://127.0.0.1:8443\n"   \
  "  --ca-file PEM     the CA or self-signed certificate to trust (default: the\n" \
  "                    system's trust store)\n"

// What --server means for the registry and account commands.
#define CLUELINE_ONLINE_OPTIONS                                               \
  "  --server URL      work on the running server at URL instead of a data\n" \
  "                    directory, as the account signed in there with login\n"

#define CLUELINE_SIGNING_OPTIONS                                           \
  "  --signing-key FILE  the deployment's site-signing.key (from keygen\n" \
  "                    site-signing), which signs the poster tokens\n"     \
  "  --base-url URL    the https:// URL the posters point to (default\n"   \
  "                    https://127.0.0.1:8443)\n"

namespace clueline::app {

// queue, open's siblings ack ... link-duplicate, reply, messages, transfer,
// recuse, stats.
std::span<const UsageEntry> clue_usage_entries();

}  // namespace clueline::app
