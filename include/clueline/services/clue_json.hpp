// The JSON of clues as the supervisor API and the command line show them
// (the offline `queue` too): ids in base64url, times in RFC 3339 UTC.
// Metadata only; the sealed bytes are added by whoever serves them.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "clueline/storage/records.hpp"

namespace clueline::services {

// {"clue_id", "relation" ("handling" | "escalated"), "unit_id", "status",
//  "outcome" (null unless closed), "duplicate_of" (null or an id), "site_id",
//  "category", "accused_level", "received_at", "acknowledge_by",
//  "handle_by", "next_check_at" (null: never), "messages", "replies",
//  "attachments", "escalations" [{"unit_id","reason","deadline","at"}],
//  "route" [{"rule","unit_id","text"}], "events" [{"at","action","unit_id",
//  "detail"}]}
boost::json::object clue_json(const storage::Clue& clue, std::string_view relation);

}  // namespace clueline::services
