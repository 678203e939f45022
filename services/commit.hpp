// Waiting for the group-commit writer from a coroutine. Private to services.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <vector>

#include "clueline/common/error.hpp"
#include "clueline/storage/group_commit.hpp"

namespace clueline::services {

// Hands `submission` to the writer and resumes on the caller's executor when
// the batch holding it has been synced to the write-ahead log (or failed).
// The writer's callback never runs request code: it only posts.
boost::asio::awaitable<result<void>> commit(storage::GroupCommitWriter* writer,
                                            storage::GroupCommitWriter::Submission submission);

// A batch without preconditions or audit records.
boost::asio::awaitable<result<void>> commit_mutations(storage::GroupCommitWriter* writer,
                                                      std::vector<storage::Mutation> batch);

}  // namespace clueline::services
