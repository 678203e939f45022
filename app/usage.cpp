#include "usage.hpp"

#include <algorithm>
#include <array>

#include "usage_options.hpp"

namespace clueline::app {
namespace {

constexpr std::array kUsageEntries{
    UsageEntry{"serve", R"(usage: clueline serve [--config FILE]

Runs the HTTPS server (the reporters' pages and the API) and the operations
listener (healthz, readyz, metrics) until SIGTERM or SIGINT, then lets the
requests in flight finish and stops. The data directory (storage.data_dir) is
created mode 0700 if missing; serve refuses one that group or others may
read, write or enter.

options:
  --config FILE     the TOML configuration (see deploy/clueline.example.toml);
                    default $CLUELINE_CONFIG, else the built-in settings. Every
                    setting can be overridden by CLUELINE_<TABLE>_<KEY>, e.g.
                    CLUELINE_SERVER_PORT=8443
)"},
    UsageEntry{"demo", R"(usage: clueline demo [--data-dir DIR] [--setup-only]

Creates a demo deployment in DIR and serves it on https://127.0.0.1:8443,
operations on http://127.0.0.1:9090: keys in DIR/keys, units, four sites with
their poster URLs in DIR/demo-sites.json and a self-signed certificate
(DIR/demo-cert.pem). Run again, it keeps what DIR already holds.

options:
  --data-dir DIR    where the demo lives (default ./demo-data; created 0700)
  --setup-only      set up, print where everything is, and exit
)"},
    UsageEntry{"keygen", R"(usage: clueline keygen unit|site-signing --out-dir DIR [--name NAME]

Creates a key pair as two files in DIR, NAME.key (the secret key, mode 0600)
and NAME.pub, and prints the public key. It never overwrites a file.

kinds:
  unit              a unit's X25519 key pair: reports are sealed to NAME.pub
                    (unit add --public-key) and opened with NAME.key
  site-signing      the deployment's Ed25519 key pair that signs poster tokens
                    and certifies unit keys (site add, unit add-key
                    --signing-key); keep its .key offline; also an auditor's
                    checkpoint key
                    (--name auditor, see audit checkpoint)

options:
  --out-dir DIR     the directory of the two files (created 0700 if missing)
  --name NAME       the files' name without extension (default: the kind)
)"},
    UsageEntry{"submit",
               R"(usage: clueline submit --server URL [--ca-file PEM] --token T --category C
                [--accused-level L] (--text TEXT | --text-file FILE)
                [--attach FILE ...] [--contact TEXT]
       clueline submit --token T --category C [--accused-level L]
                --recipient KEY [--recipient KEY ...] --salt SALT
                (--text TEXT | --text-file FILE) [--attach FILE ...]
                [--contact TEXT] [--pow-challenge C] [--pow-difficulty N]
                --out FILE

Builds a sealed report (docs/crypto-spec.md) as a reporter's browser does and
prints its receipt, the reporter's only way back to the report. With --server
it asks the server for the route and a proof-of-work challenge, seals, uploads
the report and its attachments; without, it writes the envelope to a file.

options:
)" CLUELINE_SERVER_OPTIONS
               R"(  --token T         the site code: the base64url token of a poster URL (the
                    part after /s/)
  --category C      the report's category, one of the routing policy's
                    (built-in: bribery, embezzlement, abuse_of_power,
                    dereliction_of_duty, favoritism, protective_umbrella,
                    supervision_staff, unit_head, other)
  --accused-level L the level of the accused (e.g. village); default unknown
  --text TEXT       the report's text
  --text-file FILE  the report's text, read from FILE
  --attach FILE     a file to attach, encrypted here (repeatable)
  --contact TEXT    how the unit may reach the reporter (sealed with the report)
without --server:
  --recipient KEY   a unit public key to seal to: a .pub file or the base64url
                    key (repeatable; at least one)
  --salt SALT       the deployment's receipt salt (base64url, 16 bytes)
  --pow-challenge C a proof-of-work challenge (base64url, 32 bytes; default
                    random)
  --pow-difficulty N  leading zero bits to solve for, 0..32 (default 16)
  --out FILE        the envelope file; attachments go to FILE.attachment-N
)"},
    UsageEntry{
        "open",
        R"(usage: clueline open ID [--server URL] [--passphrase-file F] [--attachments-dir DIR]
       clueline open --secret-key-file FILE --in FILE [--attachments-dir DIR]
       clueline open --unlock [--passphrase-file F] --in FILE [--attachments-dir DIR]
       clueline open --secret-key-file FILE --data-dir DIR --clue ID
                [--attachments-dir DIR]

Opens a sealed report and prints it. open ID fetches clue ID from the running
server signed in to (an audited opening), unwraps the account's unit keys
here with its passphrase and decrypts the report and its attachments here:
the server never sees them in the clear. The other forms open an envelope
file (from submit --out), or a clue stored in DIR's database (the server
stopped), with a unit secret key. open ID also lists the units the clue may
be transferred to now (transfer_targets, unit ids).

options:
  --server URL      the server signed in to (default: the one of the session)
  --secret-key-file FILE  the unit's .key (from keygen unit)
  --unlock          instead: the unit keys of the account signed in with login,
                    unwrapped here with its passphrase (grants waiting for it
                    are taken on the way)
  --passphrase-file F  read that passphrase from F instead of the terminal
  --in FILE         the envelope file; its attachments are FILE.attachment-N
  --data-dir DIR    the data directory holding the clue
  --clue ID         the clue's id (base64url, as queue prints it)
  --attachments-dir DIR  write the decrypted attachments here (created 0700 if
                    missing), mode 0600, under the names the reporter gave them
                    made safe (no path, no hidden file) and unique ("a (2).jpg")
)"},
    UsageEntry{"followup",
               R"(usage: clueline followup --server URL [--ca-file PEM] --receipt R
                [--token T] [--salt SALT] [--message TEXT [--attach FILE ...]]

Shows a report's status and deadlines, as the reporter sees them, with the
unit's replies opened by the receipt's key; with --message, also sends the
handling unit a message sealed here to its keys.

options:
)" CLUELINE_SERVER_OPTIONS R"(  --receipt R       the receipt submit printed
  --token T         any site code of the deployment: fetches the receipt salt,
                    and proves the unit's keys genuine (their certificates
                    must come from the key whose fingerprint the code holds)
  --salt SALT       the deployment's receipt salt, else fetched with --token
                    (needed with a withdrawn poster's code, which answers 410)
  --message TEXT    send TEXT to the unit handling the report (needs --token;
                    refused if a key has no valid certificate)
  --attach FILE     with --message: also send FILE (repeatable), encrypted
                    here; its key travels in the sealed message (open
                    --attachments-dir decrypts it)
)"},
    UsageEntry{"unit", R"(usage: clueline unit SUBCOMMAND [options]

The jurisdiction's units, the bodies that receive and handle clues. Each
subcommand works on the database of a stopped server (--data-dir DIR or
--config FILE), or on a running one as a signed-in admin (--server URL).
)"},
    UsageEntry{"unit add",
               R"(usage: clueline unit add --name N --level L [--parent ID]
                [--public-key FILE --signing-key FILE [--valid-days N]]
                [--data-dir DIR | --config FILE | --server URL]

Adds a unit below its parent and prints it. Creates the data directory and
the database (mode 0700) if they do not exist yet.

options:
  --name N          the unit's name, 1 to 200 bytes of UTF-8
  --level L         a level of the routing policy (built-in: central, province,
                    city, county, township, village), below the parent's level
  --parent ID       the unit above it; none for the top unit
  --public-key FILE a .pub from keygen unit: the unit receives reports sealed to
                    it (a unit without keys receives nothing); certified here
                    as unit add-key does
  --signing-key FILE  the deployment's site-signing.key, which certifies it
  --valid-days N    how long the certificate is valid (1..3650, default 730)
)" CLUELINE_DATA_DIR_OPTIONS CLUELINE_ONLINE_OPTIONS},
    UsageEntry{"unit list",
               R"(usage: clueline unit list [--data-dir DIR | --config FILE | --server URL]

Prints every unit with its level, parent and keys.

options:
)" CLUELINE_DATA_DIR_OPTIONS CLUELINE_ONLINE_OPTIONS},
    UsageEntry{"unit add-key",
               R"(usage: clueline unit add-key --id ID --public-key FILE --signing-key FILE
                [--valid-days N] [--data-dir DIR | --config FILE | --server URL]

Gives a unit a new key, which becomes its only current one: new reports are
sealed to it. The old keys stay, to open the reports sealed to them. The key
is certified here with the deployment's signing key (docs/crypto-spec.md
§3.1): the certificate names the unit, its level and parent, and clients seal
only to certified keys. Given a key the unit holds already, it renews that
key's certificate. The first key or site of a deployment records the signing
key for it.

options:
  --id ID           the unit
  --public-key FILE the new key, a .pub from keygen unit
  --signing-key FILE  the deployment's site-signing.key
  --valid-days N    how long the certificate is valid (1..3650, default 730)
)" CLUELINE_DATA_DIR_OPTIONS CLUELINE_ONLINE_OPTIONS},
    UsageEntry{"unit deactivate", R"(usage: clueline unit deactivate --server URL --id ID

Stops a unit receiving clues, on the running server: routing goes on to the
units above it. Refused if the routing policy designates the unit.

options:
  --id ID           the unit
)" CLUELINE_ONLINE_OPTIONS},
    UsageEntry{"site", R"(usage: clueline site SUBCOMMAND [options]

Poster sites: where a poster with a signed QR code invites reports to a unit.
Each subcommand works on the database of a stopped server (--data-dir DIR or
--config FILE), or (add, list, revoke) on a running one as a signed-in admin
(--server URL). Tokens are always signed here, with the
site-signing key file, which the server never needs.
)"},
    UsageEntry{"site add",
               R"(usage: clueline site add --name N --unit ID --kind K --signing-key FILE
                [--base-url URL] [--data-dir DIR | --config FILE | --server URL]

Adds a site and prints it with its signed token and poster URL. The first
site records FILE's key and a new receipt salt for the deployment; later
ones must be signed with the same key.

options:
  --name N          the site's name, 1 to 200 bytes of UTF-8
  --unit ID         the unit whose area the site is in
  --kind K          1 to 32 of a-z, 0-9 and _, e.g. village_board
)" CLUELINE_SIGNING_OPTIONS CLUELINE_DATA_DIR_OPTIONS CLUELINE_ONLINE_OPTIONS},
    UsageEntry{"site list",
               R"(usage: clueline site list [--signing-key FILE [--base-url URL]]
                [--data-dir DIR | --config FILE | --server URL]

Prints every site; with --signing-key, with its current
token and poster URL.

options:
)" CLUELINE_SIGNING_OPTIONS CLUELINE_DATA_DIR_OPTIONS CLUELINE_ONLINE_OPTIONS},
    UsageEntry{"site revoke",
               R"(usage: clueline site revoke --id ID --signing-key FILE [--base-url URL]
                [--data-dir DIR | --config FILE | --server URL]

Invalidates every printed poster of a site (their URLs answer 410) and prints
the site's new token and URL, for a new poster.

options:
  --id ID           the site
)" CLUELINE_SIGNING_OPTIONS CLUELINE_DATA_DIR_OPTIONS CLUELINE_ONLINE_OPTIONS},
    UsageEntry{"site qr",
               R"(usage: clueline site qr ID --signing-key FILE [--base-url URL]
                [--format svg|png --out FILE] [--data-dir DIR | --config FILE]

Prints a site's poster QR code on the terminal, with its URL below it (with
--json only the URL and the site, as JSON).

options:
  ID, --id ID       the site
  --format F        svg (default) or png, for --out
  --out FILE        also write the QR code as an image to FILE
  --svg FILE        the same as --format svg --out FILE
)" CLUELINE_SIGNING_OPTIONS CLUELINE_DATA_DIR_OPTIONS},
    UsageEntry{"site poster",
               R"(usage: clueline site poster ID... --signing-key FILE --out FILE.pdf
                [--base-url URL] [--languages L,...] [--data-dir DIR | --config FILE]

Writes printable A4 posters, one page per site: the QR code, the site and
its unit, short instructions in each language and the poster code, which
the report page shows beside the site so that a reader can compare.

options:
  ID, --id ID       a site (repeatable)
  --out FILE        the PDF to write
  --languages L,... the catalogs of the citizen page to print, in order
                    (default: zh-CN, then the others)
)" CLUELINE_SIGNING_OPTIONS CLUELINE_DATA_DIR_OPTIONS},
    UsageEntry{
        "site verify",
        R"(usage: clueline site verify IMAGE [--base-url URL] [--data-dir DIR | --config FILE]

Reads every QR code in a photo of a poster (JPEG or PNG) and says what each
is: genuine (a current code of a site, behind URL), revoked (a withdrawn
code: replace the poster), forged (looks like a report page, but the code
was not signed with this deployment's key or points to another address) or
not ours. Exit status 0 only when every code found is genuine.

options:
  IMAGE             the photo, at most 16 MiB and 50 megapixels
  --base-url URL    what genuine posters point to (default https://127.0.0.1:8443)
)" CLUELINE_DATA_DIR_OPTIONS},
    UsageEntry{"route", R"(usage: clueline route SUBCOMMAND [options]

Routing decisions, as the server makes them, explained.
)"},
    UsageEntry{"route explain",
               R"(usage: clueline route explain --site ID --category C [--accused-level L]
                [--recused UNIT ...] [--policy FILE]
                [--data-dir DIR | --config FILE]

Prints where a clue from a site would go and every rule that fired: the
explanation stored with each clue (docs/routing.md). Exit 1 if no unit can
receive it.

options:
  --site ID         the site the clue comes from
  --category C      a category of the policy (see submit --help)
  --accused-level L the level of the accused; default unknown
  --recused UNIT    a unit that must not handle it (repeatable)
  --policy FILE     the routing policy to try (default: routing.policy_file of
                    the configuration, else the built-in policy)
)" CLUELINE_DATA_DIR_OPTIONS},
    UsageEntry{"deadlines", R"(usage: clueline deadlines SUBCOMMAND [options]

The clues' deadlines and their escalation (docs/routing.md).
)"},
    UsageEntry{"deadlines run",
               R"(usage: clueline deadlines run [--at TIME] [--data-dir DIR | --config FILE]

Runs one escalation pass, as serve does every deadlines.check_interval_seconds:
clues past a deadline become visible to the units above, with audit entries.
Prints a summary; exit 1 if a clue could not be escalated. The server
must be stopped.

options:
  --at TIME         the time to check against, UTC, e.g. 2026-03-18T09:30:00Z
                    (default now)
)" CLUELINE_DATA_DIR_OPTIONS},
    UsageEntry{"audit", R"(usage: clueline audit SUBCOMMAND [options]

The tamper-evident audit log (docs/audit.md), read from the database of a
stopped server. Each subcommand takes --data-dir DIR or --config FILE.
)"},
    UsageEntry{"audit verify",
               R"(usage: clueline audit verify [--checkpoint FILE --trusted-key FILE.pub]
                [--data-dir DIR | --config FILE | --server URL [--unit ID]]

Recomputes the hash chain and prints the result; exit 1 if the chain
is broken or does not match the checkpoint. With --server, the entries come
from the running server (an auditor, signed in) and the chain is recomputed
here: entries about the auditor's subtree in full, the others withheld (only
their hashes, which link the chain).

options:
  --checkpoint FILE a signed checkpoint from audit checkpoint: the log must
                    still hold its entry, unchanged
  --trusted-key FILE.pub  the key the checkpoint must be signed with (the .pub
                    of the auditor's keygen site-signing pair)
  --unit ID         with --server: the subtree of unit ID, at or below the
                    auditor's unit (default: the auditor's unit)
)" CLUELINE_DATA_DIR_OPTIONS CLUELINE_ONLINE_OPTIONS},
    UsageEntry{"audit list",
               R"(usage: clueline audit list [--from SEQ] [--limit N]
                [--data-dir DIR | --config FILE | --server URL [--unit ID]]

Prints entries with the exact text that was hashed, so that anyone can
recompute the chain.

options:
  --from SEQ        the first entry's sequence number (default 1)
  --limit N         at most N entries, 1..10000 (default 100; 1..1000 with
                    --server, counting withheld ones)
  --unit ID         with --server: the subtree of unit ID, at or below the
                    auditor's unit (default: the auditor's unit)
)" CLUELINE_DATA_DIR_OPTIONS CLUELINE_ONLINE_OPTIONS},
    UsageEntry{"audit checkpoint",
               R"(usage: clueline audit checkpoint --signing-key FILE --out FILE
                [--data-dir DIR | --config FILE]

Verifies the chain and signs its current head into a new file, to keep off
the server: a later audit verify --checkpoint shows whether the history up to
it was rewritten or truncated.

options:
  --signing-key FILE  the auditor's secret key (keygen site-signing --name
                    auditor)
  --out FILE        the checkpoint file to create (never overwritten)
)" CLUELINE_DATA_DIR_OPTIONS},
    UsageEntry{"account", R"(usage: clueline account SUBCOMMAND [options]

Supervisor accounts. Offline (--data-dir DIR or --config FILE, server
stopped): the first accounts of a deployment and of a unit, and recovery.
On a running server (--server URL, signed in with login): invitations,
activation, unit-key grants and account changes. Signing
in is login, logout and whoami.
)"},
    UsageEntry{"account add",
               R"(usage: clueline account add --name N --unit ID
                --role handler|unit_admin|auditor|admin
                [--unit-key-file FILE.key] [--passphrase-file F]
                [--totp-secret-file F]
                [--kdf-opslimit N --kdf-memlimit BYTES]
                [--data-dir DIR | --config FILE]

Adds an account. The passphrase is asked on the terminal (or read from a
file) and turned into keys here; it is never stored or sent. A handler's or
unit_admin's unit key is wrapped under it.

options:
  --name N          the login name: 1 to 64 of a-z, 0-9, '.', '_' and '-',
                    starting with a letter or digit
  --unit ID         the account's unit
  --role ROLE       handler, unit_admin (they work on the unit's clues),
                    auditor or admin (see SECURITY.md)
  --unit-key-file FILE.key  the unit's secret key (keygen unit); required for
                    handler and unit_admin, refused for the others
  --passphrase-file F  read the passphrase (at least 12 characters) from F
  --totp-secret-file F  require a one-time code at login; F holds the 16 to 64
                    byte secret shared with the authenticator
  --kdf-opslimit N  Argon2id passes, 1..10 (default 3)
  --kdf-memlimit BYTES  Argon2id memory, a multiple of 1024 in
                    8192..1073741824 (default 268435456)
)" CLUELINE_DATA_DIR_OPTIONS},
    UsageEntry{"account list", R"(usage: clueline account list [--data-dir DIR | --config FILE]
       clueline account list --server URL --unit ID

Prints every account (with --server: of unit ID): name, unit,
role, state, and the ids of the unit keys it holds.

options:
  --unit ID         with --server: the unit whose accounts to list
)" CLUELINE_DATA_DIR_OPTIONS CLUELINE_ONLINE_OPTIONS},
    UsageEntry{
        "account unlock",
        R"(usage: clueline account unlock --id ID [--data-dir DIR | --config FILE | --server URL]

Lifts the lock that failed sign-ins put on an account, and resets its count
of failures.

options:
  --id ID           the account (its id, from account list)
)" CLUELINE_DATA_DIR_OPTIONS CLUELINE_ONLINE_OPTIONS},
    UsageEntry{"account invite",
               R"(usage: clueline account invite --server URL --name N --unit ID
                --role handler|unit_admin|auditor|admin

Creates a one-time invitation for a new account and prints its code (shown
only once; valid 7 days). Give the code to the invitee in person or over a
trusted channel; they run account activate with it.

options:
  --name N          the new account's login name
  --unit ID         its unit
  --role ROLE       its role (a unit_admin invites handlers and unit_admins of
                    its own unit; an admin anyone)
)" CLUELINE_ONLINE_OPTIONS},
    UsageEntry{"account activate",
               R"(usage: clueline account activate --server URL [--ca-file PEM] --invitation CODE
                [--passphrase-file F] [--second-factor [--totp-secret-out F]]
                [--kdf-opslimit N --kdf-memlimit BYTES]

Activates an invitation on the invitee's own device: a new passphrase is
turned into keys here; the server gets only public keys. Prints the account,
its fingerprint (tell it to the member who will grant you the unit key) and,
with --second-factor, the otpauth:// URI for an authenticator app.

options:
)" CLUELINE_SERVER_OPTIONS R"(  --invitation CODE the code of account invite
  --passphrase-file F  read the new passphrase from F instead of the terminal
  --second-factor   require a one-time code at every sign-in
  --totp-secret-out F  also write the raw second-factor secret to F (0600)
  --kdf-opslimit N  Argon2id passes, 1..10 (default 3)
  --kdf-memlimit BYTES  Argon2id memory (default 268435456)
)"},
    UsageEntry{"account grant",
               R"(usage: clueline account grant --server URL --account NAME --fingerprint FP
                [--unit-key-file FILE.key | --passphrase-file F]

Gives a newcomer of your own unit the unit key: it is sealed here to the
newcomer's key, after checking that the keys the server gives for NAME have
the fingerprint FP the newcomer told you in person or by phone.

options:
  --account NAME    the newcomer (activated, of your unit)
  --fingerprint FP  what the newcomer's account activate printed
  --unit-key-file FILE.key  the unit's secret key; without it, your own
                    wrapped copy is unwrapped with your passphrase
  --passphrase-file F  read your passphrase from F instead of the terminal
)" CLUELINE_ONLINE_OPTIONS},
    UsageEntry{"account disable", R"(usage: clueline account disable --server URL --id ID

Disables an account on the running server and ends its sessions.

options:
  --id ID           the account
)" CLUELINE_ONLINE_OPTIONS},
    UsageEntry{"account enable", R"(usage: clueline account enable --server URL --id ID

Enables a disabled account again.

options:
  --id ID           the account
)" CLUELINE_ONLINE_OPTIONS},
    UsageEntry{"account reset-totp", R"(usage: clueline account reset-totp --server URL --id ID

Removes an account's second factor (a lost authenticator).

options:
  --id ID           the account
)" CLUELINE_ONLINE_OPTIONS},
    UsageEntry{"login",
               R"(usage: clueline login --server URL [--ca-file PEM] --account NAME
                [--passphrase-file F] [--totp CODE]

Signs in to a running server. The passphrase is turned into keys here and
never sent; the session token is kept in a 0600 file: $CLUELINE_SESSION_FILE,
else $XDG_CONFIG_HOME/clueline/session.json, else
~/.config/clueline/session.json.

options:
)" CLUELINE_SERVER_OPTIONS R"(  --account NAME    the account's login name
  --passphrase-file F  read the passphrase from F instead of the terminal
  --totp CODE       the authenticator's current code, for an account with one
)"},
    UsageEntry{"logout", R"(usage: clueline logout

Ends the session login started, on the server and in the session file.
)"},
    UsageEntry{"whoami", R"(usage: clueline whoami [--unlock [--passphrase-file F]]

Shows the signed-in account, as the server knows it.

options:
  --unlock          also unwrap the account's unit keys, on this device only,
                    with its passphrase
  --passphrase-file F  read the passphrase from F instead of the terminal
)"},
};

constexpr std::string_view kUsagePrefix = "usage: ";

// The lines of `text` up to its first blank line (the usage line or lines),
// each moved left by what turns "usage: clueline" into "  clueline", so that
// continuation lines stay aligned in the list of a group's subcommands.
std::string synopsis(std::string_view text) {
  constexpr std::size_t kShift = kUsagePrefix.size() - 2;
  const std::size_t blank = text.find("\n\n");
  std::string_view lines = text.substr(0, blank == std::string_view::npos ? text.size() : blank);
  std::string out;
  while (!lines.empty()) {
    const std::size_t newline = lines.find('\n');
    std::string_view line = lines.substr(0, newline);
    lines.remove_prefix(newline == std::string_view::npos ? lines.size() : newline + 1);
    if (line.starts_with(kUsagePrefix)) {
      line.remove_prefix(kUsagePrefix.size());
      out += "  ";
    } else {
      line.remove_prefix(std::min(kShift, line.find_first_not_of(' ')));
    }
    out.append(line).append("\n");
  }
  return out;
}

bool is_help(std::string_view arg) { return arg == "--help" || arg == "-h"; }

}  // namespace

std::span<const UsageEntry> usage_entries() {
  static const std::vector<UsageEntry> entries = [] {
    std::vector<UsageEntry> all(kUsageEntries.begin(), kUsageEntries.end());
    const std::span<const UsageEntry> clues = clue_usage_entries();
    all.insert(all.end(), clues.begin(), clues.end());
    return all;
  }();
  return entries;
}

const UsageEntry* find_usage(std::string_view command) {
  const auto entries = usage_entries();
  const auto found = std::find_if(entries.begin(), entries.end(), [&](const UsageEntry& entry) {
    return entry.command == command;
  });
  return found == entries.end() ? nullptr : &*found;
}

std::vector<const UsageEntry*> subcommands_of(std::string_view command) {
  std::vector<const UsageEntry*> found;
  for (const UsageEntry& entry : usage_entries()) {
    const std::string_view words = entry.command;
    if (words.size() > command.size() + 1 && words.starts_with(command) &&
        words[command.size()] == ' ' &&
        words.find(' ', command.size() + 1) == std::string_view::npos) {
      found.push_back(&entry);
    }
  }
  return found;
}

std::string help_text(const UsageEntry& entry) {
  std::string text(entry.text);
  const auto subcommands = subcommands_of(entry.command);
  if (subcommands.empty()) {
    // serve and demo run a server; they print no result.
    if (entry.command == "serve" || entry.command == "demo") return text;
    return text +
           "\nWith --json the result is printed as JSON instead of text (a list as one\nvalue per "
           "line), for scripts.\n";
  }
  text += "\nsubcommands:\n";
  for (const UsageEntry* subcommand : subcommands) text += synopsis(subcommand->text);
  text += "\n`clueline " + std::string(entry.command) +
          " SUBCOMMAND --help` explains the options of one.\n";
  return text;
}

std::optional<int> answer_help(std::span<char* const> args, std::ostream& out, std::ostream& err) {
  if (args.empty()) return std::nullopt;
  const UsageEntry* entry = find_usage(args[0]);
  if (entry == nullptr) return std::nullopt;
  auto rest = args.subspan(1);
  std::optional<std::string_view> unknown;  // a word that names no subcommand
  const auto subcommands = subcommands_of(entry->command);
  if (!subcommands.empty() && !rest.empty() && !std::string_view(rest[0]).starts_with('-')) {
    const std::string words = std::string(entry->command) + " " + rest[0];
    if (const UsageEntry* subcommand = find_usage(words)) {
      entry = subcommand;
    } else {
      unknown = rest[0];
    }
    rest = rest.subspan(1);
  }
  if (std::none_of(rest.begin(), rest.end(), is_help)) return std::nullopt;
  if (unknown) {
    std::string names;
    for (const UsageEntry* subcommand : subcommands) {
      names += (names.empty() ? "" : ", ") +
               std::string(subcommand->command.substr(entry->command.size() + 1));
    }
    err << "clueline: no usage for \"" << entry->command << ' ' << *unknown << "\"; "
        << entry->command << "'s subcommands are " << names << '\n';
    return 2;
  }
  out << help_text(*entry);
  return 0;
}

}  // namespace clueline::app
