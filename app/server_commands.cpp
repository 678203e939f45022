// serve and demo: run the HTTPS server.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "clueline/qr/qr_code.hpp"
#include "clueline/qr/render.hpp"
#include "clueline/server/server.hpp"
#include "clueline/server/tls.hpp"
#include "clueline/services/config.hpp"
#include "clueline/storage/store.hpp"
#include "commands.hpp"
#include "demo_data.hpp"
#include "files.hpp"
#include "options.hpp"
#include "registry.hpp"

namespace clueline::app {
namespace {

using clueline::services::Config;

std::shared_ptr<clueline::storage::Store> open_store(const Config& config) {
  try {
    return open_database(config.storage.data_dir, true);
  } catch (const std::runtime_error& e) {
    // Name the setting, as every other start-up problem does.
    throw std::runtime_error(std::string("storage.data_dir: ") + e.what());
  }
}

// The data directory holds every clue, account and audit entry, and the
// demo's secret keys: a missing one is created for the server's user alone,
// and one that group or others may enter, read or write is refused (exit 1)
// rather than quietly tightened, since something may already have leaked
// or rely on the wider mode.
void prepare_data_dir(const std::filesystem::path& data_dir, std::string_view what) {
  bool created = false;
  try {
    created = create_private_directory(data_dir);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(what) + ": " + e.what());
  }
  if (!created) require_private_directory(data_dir, what);
}

std::string url(std::string_view scheme, const std::string& address, std::uint16_t port) {
  const bool v6 = address.find(':') != std::string::npos;
  return std::string(scheme) + "://" + (v6 ? "[" + address + "]" : address) + ":" +
         std::to_string(port) + "/";
}

// The caller has blocked the termination signals (see serve and demo).
int run_server(const Config& config) {
  auto store = open_store(config);
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

}  // namespace

int serve(std::span<char*> args) {
  // Before any thread exists (RocksDB starts its process-wide background
  // threads with the first database it opens), so that every thread
  // inherits the mask and SIGTERM reaches only the sigwait in run_server. A
  // thread with SIGTERM unblocked would take the signal's default action and
  // kill the process instead of letting it drain.
  clueline::server::block_termination_signals();
  std::string config_path = CommandOptions(args, {"--config"}).value_or("--config", "");
  if (config_path.empty()) {
    if (const char* from_env = std::getenv("CLUELINE_CONFIG")) config_path = from_env;
  }
  const Config config =
      clueline::services::load_config(config_path, clueline::services::current_environment());
  clueline::services::require_tls_files(config);
  prepare_data_dir(config.storage.data_dir, "storage.data_dir");
  return run_server(config);
}

int demo(std::span<char*> args) {
  const CommandOptions options(args, {"--data-dir"}, {}, {"--setup-only"});
  // As in serve: the set-up opens the database (and starts RocksDB's
  // threads) before the demo serves. A set-up-only run stays interruptible.
  if (!options.has("--setup-only")) clueline::server::block_termination_signals();
  const std::filesystem::path data_dir =
      std::filesystem::absolute(options.value_or("--data-dir", "demo-data"));
  prepare_data_dir(data_dir, "--data-dir");
  const auto certificate = data_dir / "demo-cert.pem";
  const auto private_key = data_dir / "demo-key.pem";
  const bool certificate_usable = std::filesystem::exists(certificate) &&
                                  std::filesystem::exists(private_key) &&
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
  const Config config = clueline::services::parse_config(demo_settings, "demo settings",
                                                         clueline::services::current_environment());
  // Keys and demo-sites.json live next to the database they belong to (the
  // same directory unless CLUELINE_STORAGE_DATA_DIR moves it).
  const std::filesystem::path& demo_dir = config.storage.data_dir;
  std::string base_url = url("https", config.server.address, config.server.port);
  base_url.pop_back();  // the trailing '/'
  std::vector<DemoSite> sites;
  prepare_data_dir(demo_dir, "storage.data_dir");
  {
    auto store = open_database(demo_dir, true);
    sites = prepare_demo_data(*store, demo_dir, base_url);
  }  // closed: serving reopens it
  boost::json::array listed;
  for (const DemoSite& site : sites) {
    listed.push_back(boost::json::object{
        {"site_id", site.site_id}, {"name", site.name}, {"token", site.token}, {"url", site.url}});
  }
  const auto sites_file = demo_dir / "demo-sites.json";
  replace_file(sites_file, boost::json::serialize(listed) + "\n");

  std::cerr << "clueline: demo data in " << demo_dir.string() << " (keys in "
            << (demo_dir / "keys").string() << ", poster URLs in " << sites_file.string() << ")\n";
  if (!sites.empty()) {
    std::cerr << "clueline: open " << sites.front().url << "\nclueline: the poster of \""
              << sites.front().name << "\" (the certificate is self-signed; curl needs -k):\n";
    if (const auto code = clueline::qr::encode(sites.front().url)) {
      std::cerr << clueline::qr::to_terminal(*code);
    }
  }
  std::cerr << "clueline: the supervisor console is " << base_url
            << "/console/ (accounts: clueline account add, see README)\n";
  if (options.has("--setup-only")) return EXIT_SUCCESS;
  return run_server(config);
}

}  // namespace clueline::app
