#include "commit.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <memory>
#include <utility>

namespace clueline::services {
namespace {

namespace asio = boost::asio;

// Resumes the waiting coroutine on its own executor: the writer's callback
// runs on the writer thread, which must never run request code.
template <typename Handler>
struct ResumeOnOwnExecutor {
  std::shared_ptr<Handler> handler;
  void operator()(result<void> outcome) const {
    auto executor = asio::get_associated_executor(*handler);
    asio::post(executor, std::bind_front(Invoke{}, handler, outcome));
  }
  struct Invoke {
    void operator()(std::shared_ptr<Handler> target, result<void> outcome) const {
      (*target)(outcome);
    }
  };
};

struct EnqueueCommit {
  storage::GroupCommitWriter* writer;
  template <typename Handler>
  void operator()(Handler handler, storage::GroupCommitWriter::Submission submission) const {
    // GroupCommitWriter keeps a copyable std::function; the handler is
    // move-only, so it travels behind a shared_ptr.
    auto shared = std::make_shared<Handler>(std::move(handler));
    writer->enqueue(std::move(submission), ResumeOnOwnExecutor<Handler>{std::move(shared)});
  }
};

}  // namespace

asio::awaitable<result<void>> commit(storage::GroupCommitWriter* writer,
                                     storage::GroupCommitWriter::Submission submission) {
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>, void(result<void>)>(
      EnqueueCommit{writer}, asio::use_awaitable, std::move(submission));
}

asio::awaitable<result<void>> commit_mutations(storage::GroupCommitWriter* writer,
                                               std::vector<storage::Mutation> batch) {
  // A named local: g++ 12 destroys temporaries inside a co_await expression
  // twice.
  storage::GroupCommitWriter::Submission submission{.mutations = std::move(batch),
                                                    .must_be_absent = {}};
  co_return co_await commit(writer, std::move(submission));
}

}  // namespace clueline::services
