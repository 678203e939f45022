// In-process claims on records that are read, changed and written back, so
// that two such updates of one record (a reporter's follow-up message and
// the escalation job, say) cannot interleave and lose one of the changes.
//
// A claim is a key ("clue:<hex id>"); whoever holds it may rewrite the
// record, everybody else gets errc::conflict and retries later. Claims are
// not persistent and not shared between processes: the database lock already
// keeps a second process away.
//
// Thread safety: claim() may be called from any thread; a Claim releases its
// key in its destructor, on whatever thread destroys it. The ClaimSet must
// outlive every Claim taken from it.
#pragma once

#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "clueline/common/error.hpp"

namespace clueline::storage {

class ClaimSet {
 public:
  class Claim {
   public:
    Claim() = default;
    Claim(Claim&& other) noexcept
        : set_(std::exchange(other.set_, nullptr)), key_(std::move(other.key_)) {}
    Claim& operator=(Claim&&) = delete;
    ~Claim();

   private:
    friend class ClaimSet;
    Claim(ClaimSet* set, std::string key) : set_(set), key_(std::move(key)) {}
    ClaimSet* set_ = nullptr;
    std::string key_;
  };

  // errc::conflict if `key` is claimed already.
  result<Claim> claim(std::string key);

 private:
  std::mutex mutex_;
  std::set<std::string> claimed_;
};

}  // namespace clueline::storage
