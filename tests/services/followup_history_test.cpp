// The reporter's view of a report's handling (followup_history.hpp): plain
// sentences naming units, in time order, never a person.
#include "clueline/services/followup_history.hpp"

#include <gtest/gtest.h>

namespace clueline::services {
namespace {

std::string name_of(std::uint32_t id) {
  switch (id) {
    case 3:
      return "Dongshan county";
    case 4:
      return "Hexi township";
    case 8:
      return "Xishan county";
    default:
      return "unit " + std::to_string(id);
  }
}

TEST(FollowupHistory, TellsEveryStepInPlainWordsInTimeOrder) {
  storage::Clue clue;
  clue.received_at = 100;
  clue.unit_id = 8;
  clue.escalations.push_back(
      {.unit_id = 3, .reason = "acknowledge_overdue", .deadline = 150, .at = 200});
  clue.events = {{.at = 300, .action = "take_over", .unit_id = 3, .detail = "4"},
                 {.at = 400, .action = "reply", .unit_id = 3, .detail = "1"},
                 {.at = 500, .action = "transfer", .unit_id = 3, .detail = "8"},
                 {.at = 600, .action = "acknowledge", .unit_id = 8, .detail = ""},
                 {.at = 700, .action = "close", .unit_id = 8, .detail = "partly_substantiated"},
                 {.at = 800, .action = "something_new", .unit_id = 8, .detail = ""}};
  const auto steps = followup_history(clue, name_of);
  std::vector<std::string> codes;
  for (const FollowupStep& step : steps) codes.push_back(step.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"received", "escalated", "taken_over", "replied",
                                             "transferred", "acknowledged", "closed"}));
  EXPECT_EQ(steps[1].text, "A deadline passed; Dongshan county now oversees your report.");
  EXPECT_EQ(steps[2].text, "Dongshan county took your report over from Hexi township.");
  EXPECT_EQ(steps[4].text, "Dongshan county transferred your report to Xishan county.");
  EXPECT_EQ(steps[6].text,
            "Xishan county closed the case: the report was found to be partly true.");
  EXPECT_EQ(steps[6].at, 700);
}

TEST(FollowupHistory, ARecusalNamesTheUnitThatHasItNow) {
  storage::Clue clue;
  clue.events = {{.at = 10, .action = "recuse", .unit_id = 4, .detail = "8"}};
  const auto steps = followup_history(clue, name_of);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[1].code, "recused");
  EXPECT_EQ(steps[1].text,
            "Hexi township stepped aside because of a conflict of interest; Xishan county handles "
            "your report now.");
  EXPECT_TRUE(outcome_words("maybe").empty());
}

}  // namespace
}  // namespace clueline::services
