// The `clueline` command: parses the subcommand and hands over to the
// modules. Failures are reported as one line on stderr.
#include <cstdlib>
#include <iostream>
#include <span>
#include <string_view>

#include "clueline/server/config.hpp"
#include "commands.hpp"
#include "options.hpp"

namespace {

constexpr std::string_view kUsage = R"(usage: clueline <command> [options]

commands:
  serve [--config FILE]     run the HTTPS server and the operations listener
                            (FILE may also be given as CLUELINE_CONFIG)
  demo [--data-dir DIR]     create a demo deployment in DIR (default ./demo-data)
                            with a self-signed certificate and serve it on
                            https://127.0.0.1:8443, operations on 127.0.0.1:9090
  keygen unit|site-signing --out-dir DIR [--name NAME]
                            create a unit key pair (X25519) or the deployment's
                            site-signing key pair (Ed25519): NAME.pub, NAME.key (0600)
  submit --token T --category C [--accused-level L] --recipient KEY [--recipient KEY ...]
         --salt SALT (--text TEXT | --text-file FILE) [--attach FILE ...] [--contact TEXT]
         [--pow-challenge C] [--pow-difficulty N] --out FILE
                            build a sealed report (docs/crypto-spec.md) and print its receipt
  open --secret-key-file FILE --in FILE [--attachments-dir DIR]
                            open a sealed report with a unit secret key and print it
  help                      show this text

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
    if (command == "serve") return clueline::app::serve(rest);
    if (command == "demo") return clueline::app::demo(rest);
    if (command == "keygen") return clueline::app::keygen(rest);
    if (command == "submit") return clueline::app::submit(rest);
    if (command == "open") return clueline::app::open(rest);
    if (command == "help" || command == "--help" || command == "-h") {
      std::cout << kUsage;
      return EXIT_SUCCESS;
    }
    std::cerr << "clueline: unknown command \"" << command << "\"\n" << kUsage;
    return 2;
  } catch (const clueline::server::ConfigError& e) {
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
