// The supervisor routes over clues (services/clue_work.hpp), each
// parse → one service call → serialise:
//
//   GET  /api/v1/queue?unit=&status=&category=&site=&escalated=&overdue=&cursor=&limit=
//                                    a page of the own unit's queue
//   GET  /api/v1/clues/{id}          one clue, its sealed envelope and notes
//                                    (writes clue.open to the audit log)
//   GET  /api/v1/clues/{id}/attachments/{n}/{part}
//                                    one part of a sealed attachment
//   POST /api/v1/clues/{id}/actions  {"action", "outcome"?, "duplicate_of"?}
//   POST /api/v1/clues/{id}/replies  a reply sealed to the reporter (octet-stream)
//   GET  /api/v1/stats?unit=&from=&to=&by=&format=
//                                    counts of a unit's clues (JSON or CSV)
//
// Every route needs a session (auth_routes.hpp).
#pragma once

#include "clueline/services/clue_work.hpp"
#include "router.hpp"

namespace clueline::server {

// `context` (and what it points to) is not owned and must outlive the router.
void add_clue_routes(Router& router, services::ClueWorkContext* context);

}  // namespace clueline::server
