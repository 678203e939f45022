#include "handlers.hpp"

#include <sys/statvfs.h>

#include <functional>
#include <string>

#include "assets.hpp"
#include "clueline/services/blocking.hpp"
#include "clueline/services/escalation.hpp"
#include "clueline/services/intake.hpp"
#include "clueline/storage/group_commit.hpp"
#include "clueline/storage/store.hpp"
#include "clueline/web/assets.hpp"
#include "responses.hpp"

namespace clueline::server {
namespace {

boost::json::object check(bool ok, std::string detail) {
  return {{"ok", ok}, {"detail", std::move(detail)}};
}

asio::awaitable<Response> serve_page(std::string_view name, Request request) {
  const auto page = web::find_page(name);
  if (!page) co_return error_response(request, errc::not_found, "no such page");
  co_return asset_response(request, *page);
}

asio::awaitable<Response> serve_static(Request request) {
  const auto asset = web::find_asset(target_path(request.target()));
  if (!asset) co_return error_response(request, errc::not_found, "no such file");
  co_return asset_response(request, *asset);
}

asio::awaitable<Response> serve_healthz(Request request) {
  co_return json_response(request, http::status::ok, boost::json::object{{"status", "alive"}});
}

asio::awaitable<Response> serve_readyz(const OpsState* state, Request request) {
  const Readiness readiness = co_await services::run_blocking(
      *state->blocking_pool, std::bind_front(&check_readiness, std::cref(*state)));
  co_return json_response(request,
                          readiness.ready ? http::status::ok : http::status::service_unavailable,
                          readiness.body);
}

asio::awaitable<Response> serve_metrics(const OpsState* state, Request request) {
  std::string text = co_await services::run_blocking(
      *state->blocking_pool, std::bind_front(&render_metrics, std::cref(*state)));
  Response response{http::status::ok, request.version()};
  response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  response.body() = std::move(text);
  response.keep_alive(request.keep_alive());
  co_return response;
}

}  // namespace

Readiness check_readiness(const OpsState& state) {
  boost::json::object checks;
  bool ready = true;

  const auto writable = state.store->check_writable();
  ready = ready && writable.has_value();
  checks["storage"] =
      check(writable.has_value(), writable.has_value()
                                      ? "RocksDB open and accepting synced writes"
                                      : "RocksDB write failed: " + writable.error().message());

  struct statvfs disk {};
  if (::statvfs(state.data_dir.c_str(), &disk) == 0) {
    const std::uint64_t free_bytes = static_cast<std::uint64_t>(disk.f_bavail) * disk.f_frsize;
    const bool ok = free_bytes >= state.min_free_disk_bytes;
    ready = ready && ok;
    checks["disk"] = check(ok, std::to_string(free_bytes) + " bytes free, minimum " +
                                   std::to_string(state.min_free_disk_bytes));
  } else {
    ready = false;
    checks["disk"] = check(false, "cannot stat the data directory");
  }

  const auto remaining = std::chrono::duration_cast<std::chrono::hours>(
      state.certificate_not_after - std::chrono::system_clock::now());
  const auto days_left = remaining.count() / 24;
  const bool certificate_ok =
      remaining >= std::chrono::hours(24) * static_cast<int>(state.certificate_expiry_days) &&
      remaining.count() > 0;
  ready = ready && certificate_ok;
  checks["tls_certificate"] =
      check(certificate_ok, "expires in " + std::to_string(days_left) + " days, minimum " +
                                std::to_string(state.certificate_expiry_days));

  Readiness readiness;
  readiness.ready = ready;
  readiness.body = {{"status", ready ? "ready" : "not_ready"}, {"checks", std::move(checks)}};
  return readiness;
}

std::string render_metrics(const OpsState& state) {
  std::string out;
  Metrics::render(out, state.listener_metrics);
  for (const auto& [name, value] : state.store->statistics()) {
    render_gauge(out, "clueline_rocksdb_" + name, "RocksDB property " + name + ".",
                 static_cast<double>(value));
  }
  if (state.writer != nullptr) {
    const auto stats = state.writer->stats();
    render_counter(out, "clueline_group_commit_submissions_total",
                   "Submissions written (or failed) by the group-commit writer since start.",
                   static_cast<double>(stats.submissions));
    render_counter(out, "clueline_group_commit_batches_total",
                   "Synced WriteBatches of the group-commit writer since start.",
                   static_cast<double>(stats.batches));
    render_counter(out, "clueline_group_commit_failed_submissions_total",
                   "Submissions whose batch failed to write since start.",
                   static_cast<double>(stats.failed_submissions));
  }
  if (state.escalation != nullptr) {
    const auto stats = state.escalation->stats();
    render_counter(out, "clueline_escalation_passes_total",
                   "Passes of the escalation job over clues past a deadline since start.",
                   static_cast<double>(stats.passes));
    render_counter(out, "clueline_escalations_total",
                   "Units that came to see an overdue clue (audit entries written) since start.",
                   static_cast<double>(stats.escalations));
    render_counter(out, "clueline_escalation_failures_total",
                   "Overdue clues the escalation job could not read or write (retried on the next "
                   "pass), summed over passes since start.",
                   static_cast<double>(stats.clue_failures));
    render_gauge(out, "clueline_escalation_last_pass_time_seconds",
                 "When the last escalation pass ran, since the Unix epoch (0: none yet).",
                 static_cast<double>(stats.last_pass_at));
  }
  if (state.intake != nullptr) {
    const auto refusals = state.intake->refusals();
    render_counter(out, "clueline_intake_refused_disk_full_total",
                   "Citizen writes refused since start because free disk was under "
                   "ops.min_free_disk_bytes.",
                   static_cast<double>(refusals.disk_full));
    render_counter(out, "clueline_intake_refused_attachment_quota_total",
                   "Attachment parts refused since start by limits.attachment_quota_bytes.",
                   static_cast<double>(refusals.attachment_quota));
    render_counter(out, "clueline_intake_refused_writer_busy_total",
                   "Citizen writes refused since start because the group-commit queue was full.",
                   static_cast<double>(refusals.writer_busy));
    const auto now = std::chrono::steady_clock::now();
    // Site 0 is no site: the server-wide part of the report price.
    render_gauge(out, "clueline_intake_report_difficulty",
                 "Proof-of-work bits a report from a quiet site costs now.",
                 static_cast<double>(state.intake->report_difficulty(0, now)));
    render_gauge(out, "clueline_intake_lookup_difficulty",
                 "Proof-of-work bits opening a follow-up session costs now.",
                 static_cast<double>(state.intake->lookup_difficulty(now)));
    render_gauge(out, "clueline_intake_followup_sessions", "Follow-up sessions held in memory.",
                 static_cast<double>(state.intake->sessions().size()));
    render_gauge(out, "clueline_intake_attachment_bytes",
                 "Attachment bytes the deployment stores (limits.attachment_quota_bytes).",
                 static_cast<double>(state.intake->attachment_bytes()));
    render_gauge(out, "clueline_intake_attachment_quota_bytes",
                 "limits.attachment_quota_bytes: attachment parts beyond it are refused (503).",
                 static_cast<double>(state.intake->attachment_quota_bytes()));
  }
  render_gauge(out, "clueline_process_start_time_seconds", "Start time since the Unix epoch.",
               std::chrono::duration<double>(state.started.time_since_epoch()).count());
  return out;
}

void add_public_routes(Router& router) {
  router.add({.method = http::verb::get,
              .path = "/",
              .name = "index",
              .handler = std::bind_front(&serve_page, "index"),
              .citizen = true});
  router.add({.method = http::verb::get,
              .path = "/console/",
              .name = "console",
              .handler = std::bind_front(&serve_page, "console")});
  // Without the slash too: the page names its assets by absolute paths and
  // routes by the URL's fragment, so both work alike.
  router.add({.method = http::verb::get,
              .path = "/console",
              .name = "console",
              .handler = std::bind_front(&serve_page, "console")});
  router.add({.method = http::verb::get,
              .path = "/static/",
              .is_prefix = true,
              .name = "static",
              .handler = serve_static,
              .citizen = true});
}

void add_ops_routes(Router& router, const OpsState* state) {
  router.add(
      {.method = http::verb::get, .path = "/healthz", .name = "healthz", .handler = serve_healthz});
  router.add(
      {.method = http::verb::get,
       .path = "/readyz",
       .name = "readyz",
       .handler = [state](Request request) { return serve_readyz(state, std::move(request)); }});
  router.add(
      {.method = http::verb::get,
       .path = "/metrics",
       .name = "metrics",
       .handler = [state](Request request) { return serve_metrics(state, std::move(request)); }});
}

}  // namespace clueline::server
