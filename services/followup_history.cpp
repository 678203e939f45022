#include "clueline/services/followup_history.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

namespace clueline::services {
namespace {

std::uint32_t unit_in(std::string_view detail) {
  std::uint32_t id = 0;
  std::from_chars(detail.data(), detail.data() + detail.size(), id);
  return id;
}

}  // namespace

std::string_view outcome_words(std::string_view outcome) noexcept {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kWords = {{
      {"substantiated", "the report was found to be true"},
      {"partly_substantiated", "the report was found to be partly true"},
      {"unsubstantiated", "what the report says could not be confirmed"},
      {"referred_elsewhere", "the matter was referred to the body responsible for it"},
      {"duplicate", "the matter is handled together with an earlier report"},
  }};
  for (const auto& [name, words] : kWords) {
    if (name == outcome) return words;
  }
  return {};
}

std::vector<FollowupStep> followup_history(
    const storage::Clue& clue, const std::function<std::string(std::uint32_t)>& unit_name) {
  std::vector<FollowupStep> steps;
  steps.push_back({clue.received_at, "received", "Your report was received."});
  for (const storage::ClueEvent& event : clue.events) {
    const std::string unit = unit_name(event.unit_id);
    FollowupStep step{.at = event.at, .code = {}, .text = {}};
    if (event.action == "acknowledge") {
      step = {event.at, "acknowledged", unit + " acknowledged your report."};
    } else if (event.action == "investigate") {
      step = {event.at, "investigating", unit + " started to investigate."};
    } else if (event.action == "close") {
      const std::string_view words = outcome_words(event.detail);
      step = {event.at, "closed",
              unit + " closed the case" + (words.empty() ? "" : ": " + std::string(words)) + "."};
    } else if (event.action == "reopen") {
      step = {event.at, "reopened", unit + " reopened the case."};
    } else if (event.action == "take_over") {
      step = {event.at, "taken_over",
              unit + " took your report over from " + unit_name(unit_in(event.detail)) + "."};
    } else if (event.action == "link_duplicate") {
      step = {event.at, "linked_duplicate",
              unit + " found that an earlier report concerns the same matter."};
    } else if (event.action == "reply") {
      step = {event.at, "replied", unit + " sent you a reply."};
    } else if (event.action == "transfer") {
      step = {event.at, "transferred",
              unit + " transferred your report to " + unit_name(unit_in(event.detail)) + "."};
    } else if (event.action == "recuse") {
      step = {event.at, "recused",
              unit + " stepped aside because of a conflict of interest; " +
                  unit_name(unit_in(event.detail)) + " handles your report now."};
    } else {
      continue;  // an action this version does not describe
    }
    steps.push_back(std::move(step));
  }
  for (const storage::Escalation& escalation : clue.escalations) {
    steps.push_back(
        {escalation.at, "escalated",
         "A deadline passed; " + unit_name(escalation.unit_id) + " now oversees your report."});
  }
  std::stable_sort(steps.begin(), steps.end(),
                   [](const FollowupStep& a, const FollowupStep& b) { return a.at < b.at; });
  return steps;
}

}  // namespace clueline::services
