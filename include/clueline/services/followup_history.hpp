// What a reporter is told of their report's handling, in plain words: each
// step the units took (acknowledged, investigated, closed with what outcome,
// transferred, taken over, escalated, replied), naming units, never a
// person. Each step also has a stable code for pages that say it in their
// own language.
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "clueline/storage/records.hpp"

namespace clueline::services {

struct FollowupStep {
  storage::UnixSeconds at = 0;
  // "received", "acknowledged", "investigating", "closed", "reopened",
  // "taken_over", "linked_duplicate", "replied", "transferred", "recused",
  // "escalated".
  std::string code;
  std::string text;  // one English sentence
  friend bool operator==(const FollowupStep&, const FollowupStep&) = default;
};

// The outcome of a closed clue in plain words ("the report was found to be
// true"); empty for an unknown one.
std::string_view outcome_words(std::string_view outcome) noexcept;

// The steps of `clue`, oldest first. `unit_name` gives a unit's public name
// (e.g. "Dongshan township"); it is called for the units the steps name.
std::vector<FollowupStep> followup_history(
    const storage::Clue& clue, const std::function<std::string(std::uint32_t)>& unit_name);

}  // namespace clueline::services
