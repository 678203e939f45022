#include "clueline/storage/claims.hpp"

namespace clueline::storage {

ClaimSet::Claim::~Claim() {
  if (set_ == nullptr) return;
  std::lock_guard lock(set_->mutex_);
  set_->claimed_.erase(key_);
}

result<ClaimSet::Claim> ClaimSet::claim(std::string key) {
  std::lock_guard lock(mutex_);
  if (!claimed_.insert(key).second) return errc::conflict;
  return Claim(this, std::move(key));
}

}  // namespace clueline::storage
