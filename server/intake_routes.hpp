// The citizen-facing routes of docs/api.md: poster page, site info, route
// and challenge, report submission, follow-up and attachment upload.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include "intake.hpp"
#include "router.hpp"

namespace clueline::storage {
class GroupCommitWriter;
class Store;
}  // namespace clueline::storage

namespace clueline::server {

// What the intake handlers use; owned by the Server, outlives every request.
struct IntakeContext {
  Intake* intake = nullptr;
  storage::Store* store = nullptr;               // reads, on blocking_pool only
  storage::GroupCommitWriter* writer = nullptr;  // every durable write
  asio::thread_pool* blocking_pool = nullptr;
};

void add_intake_routes(Router& router, const IntakeContext* context);

// Attachment limits (docs/api.md).
inline constexpr std::size_t kMaxAttachments = 8;
inline constexpr std::size_t kMaxAttachmentPartBytes = std::size_t{1} << 20;
inline constexpr std::uint64_t kMaxAttachmentBytes = std::uint64_t{16} << 20;
inline constexpr std::uint64_t kMaxClueAttachmentBytes = std::uint64_t{64} << 20;

}  // namespace clueline::server
