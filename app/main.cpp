// The `clueline` command: parses the subcommand and hands over to the
// modules. Failures are reported as one line on stderr.
#include <cstdlib>
#include <iostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "account_commands.hpp"
#include "client_commands.hpp"
#include "clue_commands.hpp"
#include "clueline/services/config.hpp"
#include "commands.hpp"
#include "options.hpp"
#include "usage.hpp"

namespace {

constexpr std::string_view kUsage = R"(usage: clueline <command> [options]

commands:
  serve [--config FILE]     run the HTTPS server and the operations listener
                            (FILE may also be given as CLUELINE_CONFIG)
  demo [--data-dir DIR] [--setup-only]
                            create a demo deployment in DIR (default ./demo-data):
                            keys in DIR/keys, units, four sites with their poster
                            URLs in DIR/demo-sites.json, a self-signed certificate;
                            then serve it on https://127.0.0.1:8443, operations on
                            127.0.0.1:9090 (--setup-only: set up and exit)
  keygen unit|site-signing --out-dir DIR [--name NAME]
                            create a unit key pair (X25519) or the deployment's
                            site-signing key pair (Ed25519): NAME.pub, NAME.key (0600)
  submit --token T --category C [--accused-level L] --recipient KEY [--recipient KEY ...]
         --salt SALT (--text TEXT | --text-file FILE) [--attach FILE ...] [--contact TEXT]
         [--pow-challenge C] [--pow-difficulty N] --out FILE
                            build a sealed report (docs/crypto-spec.md) and print its receipt
  submit --server URL [--ca-file PEM] --token T --category C [--accused-level L]
         (--text TEXT | --text-file FILE) [--attach FILE ...] [--contact TEXT]
                            submit a report to a running server (route, proof of work,
                            sealing, upload) and print its receipt; PEM is the CA or
                            self-signed certificate to trust (default: the system's)
  followup --server URL [--ca-file PEM] --receipt R [--token T] [--salt SALT]
           [--message TEXT [--attach FILE ...]]
                            a report's status and deadlines, with the unit's replies
                            opened by the receipt's key
  open --secret-key-file FILE --in FILE [--attachments-dir DIR]
  open --secret-key-file FILE --data-dir DIR --clue ID [--attachments-dir DIR]
  open --unlock [--passphrase-file F] --in FILE [--attachments-dir DIR]
                            open a sealed report (a file, or a clue stored in DIR's
                            database, server stopped) with a unit secret key, or with
                            the signed-in account's unit keys, and print it
  unit add --name N --level L [--parent ID] [--public-key FILE --signing-key KEY]
  unit add-key --id ID --public-key FILE --signing-key KEY [--valid-days N]
  unit list
  unit deactivate --server URL --id ID
                            the jurisdiction's units; L is a level of the routing
                            policy (built-in: central, province, city, county,
                            township, village), below the parent's level;
                            FILE is a .pub from keygen unit, certified here with
                            KEY, the site-signing.key (clients seal only to
                            certified keys); add-key makes the new key the only
                            current one (old keys stay, to open earlier reports)
  site add --name N --unit ID --kind K --signing-key FILE [--base-url URL]
  site list [--signing-key FILE [--base-url URL]]
  site revoke --id ID --signing-key FILE [--base-url URL]
  site qr ID --signing-key FILE [--base-url URL] [--format svg|png --out FILE]
  site poster ID... --signing-key FILE [--base-url URL] [--languages L,...] --out FILE.pdf
  site verify IMAGE [--base-url URL]
                            poster sites; FILE is the site-signing.key from keygen
                            (the first site add records it for the deployment);
                            revoke invalidates every printed poster of the site;
                            poster writes A4 posters (PDF), verify reads the QR
                            codes of a photo: genuine, revoked, forged or not ours;
                            URL defaults to https://127.0.0.1:8443
                            unit and site take --data-dir DIR or --config FILE (as
                            serve) and need the server stopped, or --server URL to
                            work on a running server as a signed-in admin (tokens
                            are still signed here)
  route explain --site ID --category C [--accused-level L] [--recused UNIT ...]
         [--policy FILE]
                            where a clue from site ID would go and every rule that
                            fired (the explanation stored with the clue); the policy
                            is FILE, else routing.policy_file of the configuration;
                            takes --data-dir DIR or --config FILE like unit and site
  queue --unit ID [--limit N]
  queue --server URL [--status S] [--category C] [--site ID] [--escalated|--handled]
         [--overdue] [--limit N]
                            the clues in a unit's queue: the ones it handles and the
                            ones overdue below it that escalated to it, with
                            deadlines, escalations and the routing explanation (not
                            the sealed contents; see open); --server: the unit
                            signed in to
  open ID [--passphrase-file F] [--attachments-dir DIR]
                            fetch clue ID from the server signed in to and decrypt it
                            here with the account's unit keys
  ack ID
  investigate ID
  close ID --outcome O
  reopen ID
  take-over ID
  link-duplicate ID --of EARLIER
                            act on clue ID on the server signed in to (audited)
  transfer ID --to UNIT --reason R
  recuse ID --reason R      hand clue ID to another unit (the policy decides who may
                            get it); its key is sealed here for the new unit
  reply ID --text T         seal T to the reporter of clue ID and send it
  stats [--unit ID] [--by site|category|status|accused_level|month] [--csv]
                            counts of a unit's clues: hot spots without opening any
  messages ID [--passphrase-file F]
                            the reporter's messages on clue ID, decrypted here
  deadlines run [--at TIME]
                            one escalation pass, as serve runs it every
                            deadlines.check_interval_seconds: clues past a deadline
                            become visible to the units above, with audit entries;
                            TIME (UTC, e.g. 2026-03-18T09:30:00Z) defaults to now;
                            queue and deadlines take --data-dir DIR or --config FILE,
                            server stopped
  audit verify [--checkpoint FILE --trusted-key FILE.pub] [--server URL]
  audit list [--from SEQ] [--limit N] [--server URL]
  audit checkpoint --signing-key FILE --out FILE
                            the tamper-evident audit log (docs/audit.md): verify
                            recomputes the hash chain (exit 1 if broken) and checks
                            a signed checkpoint; list prints entries (N up to
                            10000, default 100); checkpoint signs the
                            current head with an auditor's key (keygen site-signing
                            --name auditor) into a new FILE to keep off the server;
                            takes --data-dir DIR or --config FILE, server stopped,
                            or (verify, list) --server URL as an auditor, of its
                            unit's subtree or of --unit ID below it, the chain
                            recomputed here
  account add --name N --unit ID --role handler|unit_admin|auditor|admin
         [--unit-key-file FILE.key] [--passphrase-file F] [--totp-secret-file F]
         [--kdf-opslimit N --kdf-memlimit BYTES]
  account list
  account unlock --id ID
                            supervisor accounts, offline (--data-dir DIR or --config
                            FILE, server stopped): the first accounts of a deployment
                            and of a unit, and recovery; a handler's or unit_admin's
                            unit key is wrapped under the passphrase (asked on the
                            terminal unless --passphrase-file), which never leaves here
  account invite --server URL --name N --unit ID --role ROLE
  account activate --server URL --invitation CODE [--second-factor]
  account grant --server URL --account NAME --fingerprint FP
  account list --server URL --unit ID
  account disable --server URL --id ID
  account enable --server URL --id ID
  account reset-totp --server URL --id ID
  account unlock --server URL --id ID
                            the same on a running server, signed in: invite a new
                            account, activate it on the invitee's device, grant it
                            the unit key after comparing its fingerprint, and change
                            accounts
  login --server URL [--ca-file PEM] --account NAME [--passphrase-file F] [--totp CODE]
  logout
  whoami [--unlock [--passphrase-file F]]
                            sign in to a running server (the session token is kept in
                            a 0600 file: $CLUELINE_SESSION_FILE, else
                            ~/.config/clueline/session.json), sign out, and show the
                            account; --unlock unwraps its unit keys on this device
  help [COMMAND [SUBCOMMAND]]
                            show this text, or a command's options (as does
                            COMMAND [SUBCOMMAND] --help, or -h)
  version                   print the version (also --version)

Results are printed as text for people; every command also takes --json,
which prints them as JSON instead (a list as one JSON value per line), for
scripts. Errors go to stderr as one line; exit codes: 0 done, 1 failed,
2 wrong usage.

Every setting can be overridden by an environment variable named
CLUELINE_<TABLE>_<KEY>, e.g. CLUELINE_SERVER_PORT=8443.
)";

}  // namespace

int main(int argc, char** argv) {
  std::span<char*> args(argv, static_cast<std::size_t>(argc));
  if (args.size() < 2) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string_view command = args[1];
  const auto rest = args.subspan(2);
  try {
    // Before dispatch, so that asking for help never opens or creates
    // anything, whatever else the command line holds.
    if (const auto answered = clueline::app::answer_help(args.subspan(1), std::cout, std::cerr)) {
      return *answered;
    }
    if (command == "serve") return clueline::app::serve(rest);
    if (command == "demo") return clueline::app::demo(rest);
    if (command == "keygen") return clueline::app::keygen(rest);
    if (command == "submit") return clueline::app::submit(rest);
    if (command == "open") return clueline::app::open(rest);
    if (command == "followup") return clueline::app::followup(rest);
    if (command == "unit") return clueline::app::unit(rest);
    if (command == "site") return clueline::app::site(rest);
    if (command == "route") return clueline::app::route(rest);
    if (command == "audit") return clueline::app::audit(rest);
    if (command == "queue") return clueline::app::queue(rest);
    for (const std::string_view action :
         {"ack", "investigate", "close", "reopen", "take-over", "link-duplicate"}) {
      if (command == action) return clueline::app::clue_action(command, rest);
    }
    if (command == "reply") return clueline::app::reply(rest);
    if (command == "stats") return clueline::app::stats(rest);
    if (command == "transfer" || command == "recuse") return clueline::app::move(command, rest);
    if (command == "messages") return clueline::app::messages(rest);
    if (command == "deadlines") return clueline::app::deadlines(rest);
    if (command == "account") return clueline::app::account(rest);
    if (command == "login") return clueline::app::login(rest);
    if (command == "logout") return clueline::app::logout(rest);
    if (command == "whoami") return clueline::app::whoami(rest);
    if (command == "version" || command == "--version") {
      // project(VERSION) of CMakeLists.txt, defined by app/CMakeLists.txt.
      std::cout << "clueline " << CLUELINE_VERSION << '\n';
      return EXIT_SUCCESS;
    }
    if ((command == "help" || command == "--help" || command == "-h") && !rest.empty() &&
        !std::string_view(rest[0]).starts_with('-')) {
      // `help unit add` is `unit add --help`.
      std::string help_flag = "--help";
      std::vector<char*> asked(rest.begin(), rest.end());
      asked.push_back(help_flag.data());
      if (const auto answered = clueline::app::answer_help(asked, std::cout, std::cerr)) {
        return *answered;
      }
      std::cerr << "clueline: unknown command \"" << rest[0] << "\"\n" << kUsage;
      return 2;
    }
    if (command == "help" || command == "--help" || command == "-h") {
      std::cout << kUsage;
      return EXIT_SUCCESS;
    }
    std::cerr << "clueline: unknown command \"" << command << "\"\n" << kUsage;
    return 2;
  } catch (const clueline::services::ConfigError& e) {
    std::cerr << "clueline: " << e.what() << '\n';
    return 2;
  } catch (const clueline::app::UsageError& e) {
    std::cerr << "clueline: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "clueline: " << e.what() << '\n';
    return 1;
  }
}
