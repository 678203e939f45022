// The `clueline` command: parses the subcommand and hands over to the
// modules. Start-up failures are reported as one line on stderr.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "clueline/qr/qr_code.hpp"
#include "clueline/qr/render.hpp"
#include "clueline/server/config.hpp"
#include "clueline/server/server.hpp"
#include "clueline/server/tls.hpp"
#include "clueline/storage/store.hpp"

namespace {

using clueline::server::Config;

constexpr std::string_view kUsage = R"(usage: clueline <command> [options]

commands:
  serve [--config FILE]     run the HTTPS server and the operations listener
                            (FILE may also be given as CLUELINE_CONFIG)
  demo [--data-dir DIR]     create a demo deployment in DIR (default ./demo-data)
                            with a self-signed certificate and serve it on
                            https://127.0.0.1:8443, operations on 127.0.0.1:9090
  help                      show this text

Every setting can be overridden by an environment variable named
CLUELINE_<TABLE>_<KEY>, e.g. CLUELINE_SERVER_PORT=8443.
)";

class UsageError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

using Options = std::map<std::string, std::string, std::less<>>;

// Parses `--name VALUE` pairs after the subcommand; anything else, or a
// name not in `allowed`, is a usage error.
Options parse_options(std::span<char*> args, std::initializer_list<std::string_view> allowed) {
  Options options;
  for (std::size_t i = 0; i < args.size(); i += 2) {
    const std::string_view name = args[i];
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      throw UsageError("unknown option \"" + std::string(name) + "\"");
    }
    if (i + 1 >= args.size()) throw UsageError(std::string(name) + " needs a value");
    options[std::string(name)] = args[i + 1];
  }
  return options;
}

std::string option_or(const Options& options, std::string_view name, std::string fallback) {
  const auto found = options.find(name);
  return found == options.end() ? std::move(fallback) : found->second;
}

std::shared_ptr<clueline::storage::Store> open_store(const Config& config) {
  std::filesystem::create_directories(config.storage.data_dir);
  clueline::storage::Options options;
  options.directory = config.storage.data_dir / "rocksdb";
  auto store = clueline::storage::Store::open(options);
  if (!store) {
    throw std::runtime_error("storage.data_dir: cannot open " + options.directory.string() + ": " +
                             store.error().message());
  }
  return std::shared_ptr<clueline::storage::Store>(std::move(*store));
}

std::string url(std::string_view scheme, const std::string& address, std::uint16_t port) {
  const bool v6 = address.find(':') != std::string::npos;
  return std::string(scheme) + "://" + (v6 ? "[" + address + "]" : address) + ":" +
         std::to_string(port) + "/";
}

int run_server(const Config& config) {
  auto store = open_store(config);
  // Before any thread exists, so that all of them inherit the mask and the
  // signals reach only sigwait below.
  clueline::server::block_termination_signals();
  clueline::server::Server server(config, store);
  server.start();
  std::cerr << "clueline: serving " << url("https", config.server.address, server.public_port())
            << "\nclueline: operations " << url("http", config.ops.address, server.ops_port())
            << " (healthz, readyz, metrics)" << std::endl;
  const int signal = clueline::server::wait_for_termination_signal();
  std::cerr << "clueline: " << strsignal(signal) << ", shutting down" << std::endl;
  server.shutdown();
  store.reset();
  std::cerr << "clueline: stopped" << std::endl;
  return EXIT_SUCCESS;
}

int serve(std::span<char*> args) {
  std::string config_path = option_or(parse_options(args, {"--config"}), "--config", "");
  if (config_path.empty()) {
    if (const char* from_env = std::getenv("CLUELINE_CONFIG")) config_path = from_env;
  }
  const Config config =
      clueline::server::load_config(config_path, clueline::server::current_environment());
  clueline::server::require_tls_files(config);
  return run_server(config);
}

int demo(std::span<char*> args) {
  const std::filesystem::path data_dir =
      std::filesystem::absolute(option_or(parse_options(args, {"--data-dir"}), "--data-dir", "demo-data"));
  std::filesystem::create_directories(data_dir);
  const auto certificate = data_dir / "demo-cert.pem";
  const auto private_key = data_dir / "demo-key.pem";
  const bool certificate_usable =
      std::filesystem::exists(certificate) && std::filesystem::exists(private_key) &&
      clueline::server::certificate_not_after(certificate) >
          std::chrono::system_clock::now() + std::chrono::days(30);
  if (!certificate_usable) {
    clueline::server::write_self_signed_certificate(certificate, private_key);
    std::cerr << "clueline: wrote a self-signed certificate to " << certificate.string() << '\n';
  }
  // The demo's settings go through the same parser as a config file, so
  // CLUELINE_* overrides work here too.
  const std::string demo_settings =
      "[server]\naddress = \"127.0.0.1\"\nport = 8443\ntls_certificate = \"" +
      certificate.string() + "\"\ntls_private_key = \"" + private_key.string() +
      "\"\n[ops]\naddress = \"127.0.0.1\"\nport = 9090\n[storage]\ndata_dir = \"" +
      data_dir.string() + "\"\n";
  const Config config = clueline::server::parse_config(demo_settings, "demo settings",
                                                       clueline::server::current_environment());
  const std::string site_url = url("https", config.server.address, config.server.port);
  std::cerr << "clueline: demo data in " << data_dir.string() << "\nclueline: open " << site_url
            << " (the certificate is self-signed; curl needs -k)\n";
  if (const auto code = clueline::qr::encode(site_url)) {
    std::cerr << clueline::qr::to_terminal(*code);
  }
  return run_server(config);
}

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
    if (command == "serve") return serve(rest);
    if (command == "demo") return demo(rest);
    if (command == "help" || command == "--help" || command == "-h") {
      std::cout << kUsage;
      return EXIT_SUCCESS;
    }
    std::cerr << "clueline: unknown command \"" << command << "\"\n" << kUsage;
    return 2;
  } catch (const clueline::server::ConfigError& e) {
    std::cerr << "clueline: " << e.what() << '\n';
    return 2;
  } catch (const UsageError& e) {
    std::cerr << "clueline: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "clueline: " << e.what() << '\n';
    return 1;
  }
}
