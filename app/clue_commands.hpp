// Supervisors working clues on a running server (docs/openapi.yaml, tag
// "clues"), signed in with `clueline login`: the queue of their unit, a
// clue opened and decrypted here, and the actions of its life.
#pragma once

#include <span>

#include "options.hpp"

namespace clueline::app {

// `queue --server URL [filters]`: the own unit's queue, as a table.
int queue_online(const CommandOptions& options);

// `open ID` / `open --clue ID` with the saved session: fetches the clue,
// unlocks the account's unit keys with its passphrase, opens the report
// and its attachments here.
int open_online(const CommandOptions& options);

// `ack|investigate|close|reopen|take-over|link-duplicate ID ...`.
int clue_action(std::string_view command, std::span<char*> args);

// `reply ID --text T | --text-file F`: seals T here to the reporter's reply
// key and stores it as the unit's reply.
int reply(std::span<char*> args);

// `messages ID`: the reporter's messages, opened here with the account's
// unit keys, and when the unit replied.
int messages(std::span<char*> args);

// `transfer ID --to UNIT --reason R` and `recuse ID --reason R`: when the
// new unit cannot open the clue yet, opens it here and seals its data key
// to the new unit's current keys (crypto-spec §9.3), then asks again.
int move(std::string_view command, std::span<char*> args);

// `stats [--unit ID] [--from M] [--to M] [--by DIM] [--csv]`: the counts of
// a unit's clues (its own, or one below it) as a table, JSON lines or CSV.
int stats(std::span<char*> args);

}  // namespace clueline::app
