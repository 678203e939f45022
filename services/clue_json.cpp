#include "clueline/services/clue_json.hpp"

#include <boost/json/array.hpp>

#include "clueline/common/utc_time.hpp"
#include "clueline/crypto/encoding.hpp"

namespace clueline::services {

namespace json = boost::json;

json::object clue_json(const storage::Clue& clue, std::string_view relation) {
  json::array escalations;
  for (const storage::Escalation& escalation : clue.escalations) {
    escalations.push_back(json::object{{"unit_id", escalation.unit_id},
                                       {"reason", escalation.reason},
                                       {"deadline", utc_text(escalation.deadline)},
                                       {"at", utc_text(escalation.at)}});
  }
  json::array route;
  for (const storage::RouteStep& step : clue.route) {
    route.push_back(
        json::object{{"rule", step.rule}, {"unit_id", step.unit_id}, {"text", step.text}});
  }
  json::array events;
  for (const storage::ClueEvent& event : clue.events) {
    events.push_back(json::object{{"at", utc_text(event.at)},
                                  {"action", event.action},
                                  {"unit_id", event.unit_id},
                                  {"detail", event.detail}});
  }
  json::array attachments;
  for (const storage::AttachmentState& attachment : clue.attachments) {
    attachments.push_back(json::object{{"index", attachment.index},
                                       {"bytes", attachment.bytes},
                                       {"parts", attachment.parts},
                                       {"complete", attachment.complete}});
  }
  return json::object{
      {"clue_id", crypto::to_base64url(clue.id)},
      {"relation", relation},
      {"unit_id", clue.unit_id},
      {"status", storage::status_name(clue.status)},
      {"outcome", clue.outcome.empty() ? json::value(nullptr) : json::value(clue.outcome)},
      {"duplicate_of", clue.duplicate_of ? json::value(crypto::to_base64url(*clue.duplicate_of))
                                         : json::value(nullptr)},
      {"site_id", clue.site_id},
      {"category", clue.category},
      {"accused_level", clue.accused_level},
      {"received_at", utc_text(clue.received_at)},
      {"acknowledge_by", utc_text(clue.acknowledge_by)},
      {"handle_by", utc_text(clue.handle_by)},
      {"next_check_at",
       clue.next_check_at == 0 ? json::value(nullptr) : json::value(utc_text(clue.next_check_at))},
      {"reply_public_key", crypto::to_base64url(clue.reply_public_key)},
      {"messages", clue.messages},
      {"replies", clue.replies},
      {"attachments", std::move(attachments)},
      {"escalations", std::move(escalations)},
      {"route", std::move(route)},
      {"events", std::move(events)}};
}

}  // namespace clueline::services
