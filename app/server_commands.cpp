// serve and demo: run the HTTPS server.
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

#include "clueline/qr/qr_code.hpp"
#include "clueline/qr/render.hpp"
#include "clueline/server/config.hpp"
#include "clueline/server/server.hpp"
#include "clueline/server/tls.hpp"
#include "clueline/storage/store.hpp"
#include "commands.hpp"
#include "options.hpp"

namespace clueline::app {
namespace {

using clueline::server::Config;

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

}  // namespace

int serve(std::span<char*> args) {
  std::string config_path = CommandOptions(args, {"--config"}).value_or("--config", "");
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
      std::filesystem::absolute(
      CommandOptions(args, {"--data-dir"}).value_or("--data-dir", "demo-data"));
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

}  // namespace clueline::app
