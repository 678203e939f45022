// Route tables of the two listeners. Handlers are thin: the checks they
// report are plain functions that tests reach without a server.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <filesystem>
#include <vector>

#include "metrics.hpp"
#include "router.hpp"

namespace clueline::storage {
class Store;
class GroupCommitWriter;
}  // namespace clueline::storage

namespace clueline::services {
class EscalationJob;
class Intake;
}  // namespace clueline::services

namespace clueline::server {

// What /readyz and /metrics look at. Owned by the Server; outlives every
// request. Fields are set before the listeners start and never change.
struct OpsState {
  storage::Store* store = nullptr;
  const storage::GroupCommitWriter* writer = nullptr;
  const services::EscalationJob* escalation = nullptr;  // null until the job starts
  services::Intake* intake = nullptr;  // prices, sessions and refusals of citizen routes
  asio::thread_pool* blocking_pool = nullptr;
  std::vector<const Metrics*> listener_metrics;
  std::filesystem::path data_dir;
  std::uint64_t min_free_disk_bytes = 0;
  std::chrono::system_clock::time_point certificate_not_after;
  unsigned certificate_expiry_days = 0;
  std::chrono::system_clock::time_point started;
};

struct Readiness {
  bool ready = false;
  boost::json::object body;  // {"status": "...", "checks": {name: {"ok", "detail"}}}
};

// Blocking (a synced RocksDB write, statvfs): call on the blocking pool.
Readiness check_readiness(const OpsState& state);

// Blocking (reads RocksDB properties): call on the blocking pool.
std::string render_metrics(const OpsState& state);

// GET / and GET /static/... from the embedded web assets.
void add_public_routes(Router& router);

// GET /healthz, /readyz, /metrics. `state` must outlive the router.
void add_ops_routes(Router& router, const OpsState* state);

}  // namespace clueline::server
