// The clue state machine and who may act (clue_lifecycle.hpp), as pure
// functions over records: no store, no clock.
#include "clueline/services/clue_lifecycle.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/hash.hpp"
#include "clueline/crypto/keys.hpp"
#include "clueline/crypto/sealed_payload.hpp"
#include "clueline/routing/escalation.hpp"

namespace clueline::services {
namespace {

using storage::Clue;
using storage::ClueStatus;
using storage::Role;
using storage::UnixSeconds;

constexpr UnixSeconds kReceived = 1'795'000'000;  // a Wednesday

// province 1 > city 2 > county 3 > township 4 > village 5; township 6 beside 4.
routing::Tree tree() {
  return routing::Tree::make({{1, 0, "province", true, "Province"},
                              {2, 1, "city", true, "City"},
                              {3, 2, "county", true, "County"},
                              {4, 3, "township", true, "Township"},
                              {5, 4, "village", true, "Village"},
                              {6, 3, "township", true, "Other township"}},
                             routing::Levels{})
      .value();
}

Actor worker(std::uint32_t unit, Role role = Role::kHandler) {
  return {.account_id = 100 + unit, .unit_id = unit, .role = role};
}

class ClueLifecycleTest : public ::testing::Test {
 protected:
  ClueLifecycleTest() {
    clue_.id[0] = std::byte{7};
    clue_.site_id = 1;
    clue_.received_at = kReceived;
    clue_.category = "bribery";
    clue_.unit_id = 4;
    const auto deadlines = routing::deadlines_for(policy_, kReceived);
    clue_.acknowledge_by = deadlines.acknowledge_by;
    clue_.handle_by = deadlines.handle_by;
  }

  Outcome<ClueTransition> act(const Clue& clue, ClueAction action, const Actor& actor,
                              std::string outcome = {}, UnixSeconds now = kReceived + 3600) {
    return plan_clue_action(clue, {.action = action, .outcome = std::move(outcome), .other = {}},
                            actor, tree_, policy_, now);
  }
  Clue after(const Clue& clue, ClueAction action, const Actor& actor, std::string outcome = {},
             UnixSeconds now = kReceived + 3600) {
    auto planned = act(clue, action, actor, std::move(outcome), now);
    EXPECT_TRUE(planned) << clue_action_name(action) << ": " << planned.error().message;
    return planned ? planned->after : clue;
  }
  static errc refusal(const Outcome<ClueTransition>& planned) {
    return planned ? errc{} : planned.error().code;
  }

  routing::Tree tree_ = tree();
  routing::DeadlinePolicy policy_;
  Clue clue_;
};

TEST_F(ClueLifecycleTest, TheHandlingUnitTakesAClueFromReceivedToClosed) {
  const Actor handler = worker(4);
  auto acknowledged = act(clue_, ClueAction::kAcknowledge, handler);
  ASSERT_TRUE(acknowledged) << acknowledged.error().message;
  EXPECT_EQ(acknowledged->after.status, ClueStatus::kAcknowledged);
  ASSERT_EQ(acknowledged->after.events.size(), 1u);
  EXPECT_EQ(acknowledged->after.events[0],
            (storage::ClueEvent{kReceived + 3600, "acknowledge", 4, ""}));
  EXPECT_EQ(acknowledged->audit.actor, "account:104");
  EXPECT_EQ(acknowledged->audit.action, "clue.acknowledge");
  EXPECT_EQ(acknowledged->audit.object, "clue:" + crypto::to_base64url(clue_.id));
  const auto detail = boost::json::parse(acknowledged->audit.detail);
  EXPECT_EQ(detail.at("unit_id"), 4);
  EXPECT_EQ(detail.at("status"), "acknowledged");
  // Acknowledged: the acknowledgement deadline no longer escalates; the
  // next look is at the handling deadline's escalation.
  EXPECT_GT(acknowledged->after.next_check_at, clue_.acknowledge_by);

  const Clue investigating = after(acknowledged->after, ClueAction::kInvestigate, handler);
  EXPECT_EQ(investigating.status, ClueStatus::kInvestigating);
  const Clue closed = after(investigating, ClueAction::kClose, handler, "substantiated");
  EXPECT_EQ(closed.status, ClueStatus::kClosed);
  EXPECT_EQ(closed.outcome, "substantiated");
  EXPECT_EQ(closed.next_check_at, 0) << "a closed clue never escalates";
  EXPECT_EQ(closed.events.back().detail, "substantiated");
}

TEST_F(ClueLifecycleTest, TransitionsTheStateDoesNotAllowAreConflicts) {
  const Actor handler = worker(4);
  EXPECT_EQ(refusal(act(clue_, ClueAction::kInvestigate, handler)), errc::conflict);
  EXPECT_EQ(refusal(act(clue_, ClueAction::kClose, handler, "unsubstantiated")), errc::conflict);
  const Clue acknowledged = after(clue_, ClueAction::kAcknowledge, handler);
  EXPECT_EQ(refusal(act(acknowledged, ClueAction::kAcknowledge, handler)), errc::conflict);
  EXPECT_EQ(refusal(act(acknowledged, ClueAction::kClose, handler, "maybe")),
            errc::invalid_argument);
  EXPECT_EQ(refusal(act(acknowledged, ClueAction::kClose, handler, "duplicate")), errc::conflict)
      << "a duplicate names the clue it repeats first";
  const Clue closed = after(acknowledged, ClueAction::kClose, handler, "unsubstantiated");
  for (const ClueAction action : {ClueAction::kAcknowledge, ClueAction::kInvestigate,
                                  ClueAction::kClose, ClueAction::kLinkDuplicate}) {
    EXPECT_NE(refusal(act(closed, action, handler, "substantiated")), errc{})
        << clue_action_name(action);
  }
  // The refusal says what the state allows.
  const auto refused = act(clue_, ClueAction::kInvestigate, handler);
  EXPECT_NE(refused.error().message.find("the clue is received"), std::string::npos)
      << refused.error().message;
}

TEST_F(ClueLifecycleTest, UnitsWithoutAccessDoNotSeeTheClueAndRolesWithoutCluesNeither) {
  for (const std::uint32_t unit : {1u, 2u, 3u, 5u, 6u}) {
    EXPECT_EQ(refusal(act(clue_, ClueAction::kAcknowledge, worker(unit))), errc::not_found)
        << "unit " << unit;
  }
  for (const Role role : {Role::kAuditor, Role::kAdmin}) {
    EXPECT_EQ(refusal(act(clue_, ClueAction::kAcknowledge, worker(4, role))), errc::not_found);
  }
  EXPECT_TRUE(act(clue_, ClueAction::kAcknowledge, worker(4, Role::kUnitAdmin)));
  EXPECT_EQ(clue_access(clue_, 4), ClueAccess::kHandling);
  EXPECT_EQ(clue_access(clue_, 3), ClueAccess::kNone);
}

TEST_F(ClueLifecycleTest, AUnitTheClueEscalatedToMayTakeItOverAndThenHandlesIt) {
  Clue escalated = clue_;
  escalated.escalations.push_back({.unit_id = 3,
                                   .reason = "acknowledge_overdue",
                                   .deadline = clue_.acknowledge_by,
                                   .at = clue_.acknowledge_by + 60});
  const UnixSeconds now = clue_.acknowledge_by + 3600;
  const Actor county = worker(3);
  EXPECT_EQ(clue_access(escalated, 3), ClueAccess::kEscalatedTo);
  // Seeing it is not handling it.
  EXPECT_EQ(refusal(act(escalated, ClueAction::kAcknowledge, county, {}, now)), errc::forbidden);
  EXPECT_EQ(refusal(act(escalated, ClueAction::kTakeOver, worker(4), {}, now)), errc::forbidden);
  EXPECT_EQ(refusal(act(escalated, ClueAction::kTakeOver, worker(2), {}, now)), errc::not_found);

  auto taken = act(escalated, ClueAction::kTakeOver, county, {}, now);
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_EQ(taken->after.unit_id, 3u);
  EXPECT_EQ(taken->after.status, ClueStatus::kAcknowledged);
  EXPECT_EQ(taken->after.events.back().detail, "4") << "the unit it was taken from";
  const auto fresh = routing::deadlines_for(policy_, now);
  EXPECT_EQ(taken->after.handle_by, fresh.handle_by);
  EXPECT_EQ(taken->after.escalations, escalated.escalations) << "who saw it stays recorded";
  // The township no longer handles it and it was never escalated there:
  // the clue is gone from its view.
  EXPECT_EQ(clue_access(taken->after, 4), ClueAccess::kNone);
  EXPECT_EQ(refusal(act(taken->after, ClueAction::kInvestigate, worker(4), {}, now)),
            errc::not_found);
  EXPECT_TRUE(act(taken->after, ClueAction::kInvestigate, county, {}, now));
}

TEST_F(ClueLifecycleTest, OnlyTheUnitDirectlyAboveReopensAClosedClueItSees) {
  Clue closed = after(after(clue_, ClueAction::kAcknowledge, worker(4)), ClueAction::kClose,
                      worker(4), "unsubstantiated");
  EXPECT_EQ(refusal(act(closed, ClueAction::kReopen, worker(4))), errc::forbidden);
  EXPECT_EQ(refusal(act(closed, ClueAction::kReopen, worker(3))), errc::not_found)
      << "the county does not see a clue that never escalated to it";
  closed.escalations.push_back({.unit_id = 3, .reason = "handle_overdue", .deadline = 1, .at = 2});
  closed.escalations.push_back({.unit_id = 2, .reason = "handle_overdue", .deadline = 1, .at = 3});
  EXPECT_EQ(refusal(act(closed, ClueAction::kReopen, worker(2))), errc::forbidden);
  const UnixSeconds now = kReceived + 200 * 86'400;
  auto reopened = act(closed, ClueAction::kReopen, worker(3), {}, now);
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ(reopened->after.status, ClueStatus::kInvestigating);
  EXPECT_TRUE(reopened->after.outcome.empty());
  EXPECT_EQ(reopened->after.unit_id, 4u) << "the township works it again";
  EXPECT_EQ(reopened->after.handle_by, routing::deadlines_for(policy_, now).handle_by);
  EXPECT_EQ(refusal(act(reopened->after, ClueAction::kReopen, worker(3), {}, now)), errc::conflict);
}

TEST_F(ClueLifecycleTest, ADuplicateIsLinkedThenClosedAsDuplicate) {
  const Actor handler = worker(4);
  const Clue acknowledged = after(clue_, ClueAction::kAcknowledge, handler);
  storage::ClueId earlier{};
  earlier[0] = std::byte{9};
  auto self = plan_clue_action(
      acknowledged, {.action = ClueAction::kLinkDuplicate, .outcome = {}, .other = acknowledged.id},
      handler, tree_, policy_, kReceived);
  EXPECT_EQ(refusal(self), errc::invalid_argument);
  auto linked = plan_clue_action(
      acknowledged, {.action = ClueAction::kLinkDuplicate, .outcome = {}, .other = earlier},
      handler, tree_, policy_, kReceived);
  ASSERT_TRUE(linked) << linked.error().message;
  EXPECT_EQ(linked->after.duplicate_of, earlier);
  EXPECT_EQ(linked->after.status, ClueStatus::kAcknowledged);
  const Clue closed = after(linked->after, ClueAction::kClose, handler, "duplicate");
  EXPECT_EQ(closed.outcome, "duplicate");
}

TEST_F(ClueLifecycleTest, AFullHistoryRefusesMoreActions) {
  Clue full = clue_;
  full.events.resize(storage::kMaxClueEvents);
  EXPECT_EQ(refusal(act(full, ClueAction::kAcknowledge, worker(4))), errc::conflict);
}

TEST_F(ClueLifecycleTest, TheHandlingUnitRepliesWithBytesSealedToTheReporterAlone) {
  const crypto::BoxKeyPair reporter = crypto::generate_box_key_pair();
  Clue clue = clue_;
  std::copy(reporter.public_key.bytes.begin(), reporter.public_key.bytes.end(),
            clue.reply_public_key.begin());
  const auto text = crypto::as_bytes("We received your report.");
  const std::array reporter_key{reporter.public_key};
  const crypto::Bytes sealed =
      crypto::seal_payload(crypto::PayloadDomain::kReply, clue.id, reporter_key, text).value();
  const auto reply = [&](const Clue& to, const Actor& actor, std::string bytes) {
    ClueActionRequest request;
    request.action = ClueAction::kReply;
    request.sealed_reply = std::move(bytes);
    return plan_clue_action(to, request, actor, tree_, policy_, kReceived + 60);
  };
  const std::string sealed_text(reinterpret_cast<const char*>(sealed.data()), sealed.size());
  auto planned = reply(clue, worker(4), sealed_text);
  ASSERT_TRUE(planned) << planned.error().message;
  EXPECT_EQ(planned->after.replies, 1u);
  EXPECT_EQ(planned->after.status, ClueStatus::kReceived) << "a reply changes no state";
  ASSERT_EQ(planned->records.size(), 1u);
  EXPECT_EQ(planned->records[0].key, storage::reply_key(clue.id, 1));
  const auto note = storage::decode_note(*planned->records[0].value).value();
  EXPECT_EQ(note.payload, sealed_text);
  EXPECT_EQ(note.sent_at, kReceived + 60);
  EXPECT_EQ(planned->audit.action, "clue.reply");
  EXPECT_EQ(boost::json::parse(planned->audit.detail).at("sealed_blake2b").as_string(),
            crypto::to_base64url(crypto::blake2b<32>({crypto::as_bytes(sealed_text)})));

  // Sealed to another key, or to the reporter and someone else: refused.
  const crypto::BoxKeyPair stranger = crypto::generate_box_key_pair();
  const std::array stranger_key{stranger.public_key};
  const crypto::Bytes misdirected =
      crypto::seal_payload(crypto::PayloadDomain::kMessage, clue.id, stranger_key, text).value();
  EXPECT_EQ(refusal(reply(clue, worker(4),
                          std::string(reinterpret_cast<const char*>(misdirected.data()),
                                      misdirected.size()))),
            errc::invalid_argument);
  EXPECT_EQ(refusal(reply(clue, worker(4), "not a payload")), errc::invalid_argument);
  // Only the handling unit replies; others do not see the clue at all.
  EXPECT_EQ(refusal(reply(clue, worker(3), sealed_text)), errc::not_found);
  Clue escalated = clue;
  escalated.escalations.push_back({.unit_id = 3, .reason = "acknowledge_overdue"});
  EXPECT_EQ(refusal(reply(escalated, worker(3), sealed_text)), errc::forbidden);
  Clue many = clue;
  many.replies = kMaxReplies;
  EXPECT_EQ(refusal(reply(many, worker(4), sealed_text)), errc::conflict);
}

TEST(ClueActionNames, RoundTrip) {
  for (const ClueAction action :
       {ClueAction::kAcknowledge, ClueAction::kInvestigate, ClueAction::kClose, ClueAction::kReopen,
        ClueAction::kTakeOver, ClueAction::kLinkDuplicate, ClueAction::kReply}) {
    EXPECT_EQ(parse_clue_action(clue_action_name(action)), action);
  }
  EXPECT_FALSE(parse_clue_action("delete"));
  EXPECT_TRUE(valid_outcome("referred_elsewhere"));
  EXPECT_FALSE(valid_outcome(""));
}

}  // namespace
}  // namespace clueline::services
