#include "clueline/services/audit_log.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <functional>
#include <optional>
#include <string_view>
#include <utility>

#include "clueline/services/blocking.hpp"
#include "clueline/storage/accounts.hpp"

namespace clueline::services {
namespace {

namespace json = boost::json;

// N of "PREFIX:N", if `text` is exactly that with N a decimal u32.
std::optional<std::uint32_t> numbered(std::string_view text, std::string_view prefix) {
  if (!text.starts_with(prefix) || text.size() == prefix.size()) return std::nullopt;
  text.remove_prefix(prefix.size());
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::uint32_t> detail_unit(const json::object& detail, std::string_view name) {
  const json::value* value = detail.if_contains(name);
  if (value == nullptr) return std::nullopt;
  if (const auto* number = value->if_uint64(); number != nullptr && *number <= UINT32_MAX) {
    return static_cast<std::uint32_t>(*number);
  }
  if (const auto* number = value->if_int64();
      number != nullptr && *number >= 0 && *number <= UINT32_MAX) {
    return static_cast<std::uint32_t>(*number);
  }
  return std::nullopt;
}

struct StoredPage {
  errc error = errc::internal;
  std::optional<storage::AuditHead> head;
  std::vector<storage::AuditEntry> entries;
  std::unordered_map<std::uint32_t, std::uint32_t> account_units;  // only when scoped
};

StoredPage failed_read(const boost::system::error_code& error) {
  StoredPage page;
  page.error = errc_of(error);
  return page;
}

StoredPage read_stored_page(storage::Store* store, std::uint64_t from_seq, std::size_t limit,
                            bool scoped) {
  StoredPage page;
  auto head = storage::load_audit_head(*store);
  if (!head) return failed_read(head.error());
  auto entries = storage::read_audit(*store, from_seq, limit);
  if (!entries) return failed_read(entries.error());
  if (scoped) {
    auto accounts = storage::list_accounts(*store);
    if (!accounts) return failed_read(accounts.error());
    for (const storage::Account& account : *accounts) {
      page.account_units[account.id] = account.unit_id;
    }
  }
  page.head = *head;
  page.entries = std::move(*entries);
  return page;
}

// The stored entries as `top`'s auditor may see them. (Outside the
// coroutine: g++ 12 mis-handles aggregates with array members in coroutine
// frames.)
AuditPage page_for(StoredPage stored, const RegistrySnapshot& registry, std::uint32_t top,
                   bool whole_log) {
  AuditPage page;
  page.head = *stored.head;
  page.unit_id = top;
  page.whole_log = whole_log;
  page.entries.reserve(stored.entries.size());
  for (storage::AuditEntry& entry : stored.entries) {
    bool shown = whole_log;
    if (!shown) {
      const auto units = units_concerned(entry.record, registry, stored.account_units);
      shown = std::any_of(units.begin(), units.end(), [&](std::uint32_t concerned) {
        return in_subtree(registry.tree, top, concerned);
      });
    }
    if (!shown) entry.record = {};
    page.entries.push_back({.entry = std::move(entry), .withheld = !shown});
  }
  return page;
}

}  // namespace

std::vector<std::uint32_t> units_concerned(
    const storage::AuditRecord& record, const RegistrySnapshot& registry,
    const std::unordered_map<std::uint32_t, std::uint32_t>& account_units) {
  std::vector<std::uint32_t> units;
  const auto account_unit = [&](std::optional<std::uint32_t> account_id) {
    if (!account_id) return;
    if (const auto found = account_units.find(*account_id); found != account_units.end()) {
      units.push_back(found->second);
    }
  };
  account_unit(numbered(record.actor, "account:"));
  account_unit(numbered(record.object, "account:"));
  if (const auto unit_id = numbered(record.object, "unit:")) units.push_back(*unit_id);
  if (const auto site_id = numbered(record.object, "site:")) {
    if (const storage::Site* site = registry.site(*site_id)) units.push_back(site->unit_id);
  }
  // Details are JSON objects written by the server; one that is not (an
  // entry from a future version) only adds nothing.
  boost::system::error_code ignored;
  const json::value detail = json::parse(record.detail, ignored);
  if (const json::object* object = detail.if_object()) {
    for (const std::string_view name : {"unit_id", "handling_unit_id"}) {
      if (const auto unit_id = detail_unit(*object, name)) units.push_back(*unit_id);
    }
  }
  std::sort(units.begin(), units.end());
  units.erase(std::unique(units.begin(), units.end()), units.end());
  return units;
}

boost::asio::awaitable<Outcome<AuditPage>> read_audit_log(AuthContext context, Actor actor,
                                                          std::uint32_t unit_id,
                                                          std::uint64_t from_seq,
                                                          std::size_t limit) {
  const auto registry = context.registry->current();
  const std::uint32_t top = unit_id == 0 ? actor.unit_id : unit_id;
  if (auto refused = check_authorized(context, actor, Action::kReadAudit, {.unit_id = top})) {
    co_return *refused;
  }
  if (limit == 0 || limit > kMaxAuditPage) {
    co_return refuse(errc::invalid_argument, "limit must be 1 to 1000");
  }
  // The whole log is the subtree's only when the subtree is the whole tree:
  // entries about the deployment itself concern no unit.
  const std::size_t tops =
      std::count_if(registry->tree.units().begin(), registry->tree.units().end(),
                    [](const routing::UnitNode& node) { return node.parent_id == 0; });
  const routing::UnitNode* node = registry->tree.find(top);
  const bool whole_log = node != nullptr && node->parent_id == 0 && tops == 1;
  auto stored = co_await run_blocking(
      *context.blocking_pool,
      std::bind_front(&read_stored_page, context.store, from_seq, limit, !whole_log));
  if (!stored.head) co_return refuse(stored.error, "the audit log could not be read; try again");
  co_return page_for(std::move(stored), *registry, top, whole_log);
}

}  // namespace clueline::services
