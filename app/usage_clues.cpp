// The usage entries of the commands that work clues on a running server
// (usage.hpp explains the format).
#include <array>

#include "usage_options.hpp"

namespace clueline::app {
namespace {

constexpr std::array kClueUsageEntries{
    UsageEntry{"queue",
               R"(usage: clueline queue --server URL [--status S] [--category C] [--site ID]
                [--escalated | --handled] [--overdue] [--limit N]
       clueline queue --unit ID [--limit N] [--data-dir DIR | --config FILE]

Prints the clues in a unit's queue: the ones it handles and the overdue ones
below it that escalated to it, with deadlines and escalations (not the
sealed contents; see open). With --server, the queue of the unit signed in
to, as a table (every page, unless --limit); otherwise from the database of
a stopped server.

options:
  --server URL      the server signed in to (login)
  --status S        only received, acknowledged, investigating or closed clues
  --category C      only clues of category C
  --site ID         only clues from site ID
  --escalated       only clues escalated to the unit; --handled: only its own
  --overdue         only clues past a deadline now
  --unit ID         the unit (stopped server only)
  --limit N         one page of at most N clues, 1..200 with --server; else at
                    most N clues, 1..100000 (default 1000)
)" CLUELINE_DATA_DIR_OPTIONS},
    UsageEntry{"ack", R"(usage: clueline ack ID [--server URL]

Acknowledges clue ID (received -> acknowledged) for the unit signed in to,
which handles it. Audited.
)"},
    UsageEntry{"investigate", R"(usage: clueline investigate ID [--server URL]

Starts the investigation of clue ID (acknowledged -> investigating). Audited.
)"},
    UsageEntry{"close", R"(usage: clueline close ID --outcome OUTCOME [--server URL]

Closes clue ID (acknowledged or investigating -> closed) with OUTCOME:
substantiated, partly_substantiated, unsubstantiated, referred_elsewhere or
duplicate (after link-duplicate). Audited.
)"},
    UsageEntry{"reopen", R"(usage: clueline reopen ID [--server URL]

Reopens closed clue ID (-> investigating, with a new handling deadline): for
the unit directly above the unit handling it, once the clue escalated to it.
Audited.
)"},
    UsageEntry{"take-over", R"(usage: clueline take-over ID [--server URL]

Makes the unit signed in to the handler of clue ID, which escalated to it
(acknowledged, with fresh deadlines); the unit that sat on it no longer sees
it. Audited.
)"},
    UsageEntry{"link-duplicate", R"(usage: clueline link-duplicate ID --of EARLIER [--server URL]

Records that clue ID repeats clue EARLIER (one the unit also sees), before
closing it with --outcome duplicate. Audited.
)"},
    UsageEntry{
        "transfer",
        R"(usage: clueline transfer ID --to UNIT --reason R [--passphrase-file F] [--server URL]

Hands clue ID, which the unit signed in to handles, to unit UNIT: one the
routing policy allows (never below the level the policy handles the clue at,
never a unit that recused itself). UNIT gets it as a received clue with fresh
deadlines. If UNIT's keys were not among those the report was sealed to, the
clue is opened here (the passphrase unwraps the unit keys) and its data key
sealed to UNIT's current keys. Audited, with the reason.

options:
  --to UNIT         the unit to hand it to
  --reason R        why (1..500 bytes; supervisors and the audit log see it)
  --passphrase-file F  read the passphrase from F instead of the terminal
)"},
    UsageEntry{"recuse",
               R"(usage: clueline recuse ID --reason R [--passphrase-file F] [--server URL]

Withdraws the unit signed in to from clue ID (a conflict of interest): the
routing rules choose the unit that takes it (the one the unit above
designated, else the nearest one above), and the recusing unit never gets it
again. The data key is sealed here for the new unit when needed, as for
transfer. Audited, with the reason.

options:
  --reason R        why (1..500 bytes)
  --passphrase-file F  read the passphrase from F instead of the terminal
)"},
    UsageEntry{"reply", R"(usage: clueline reply ID (--text T | --text-file F) [--server URL]

Sends the reporter of clue ID a reply: sealed here to the reporter's reply
key alone (the server and the unit cannot read it afterwards), read with the
receipt through followup. For the unit handling the clue. Audited, with a
hash of the sealed bytes.

options:
  --text T          the reply, UTF-8 (at most 262143 bytes)
  --text-file F     instead of --text: the contents of file F
)"},
    UsageEntry{"messages", R"(usage: clueline messages ID [--passphrase-file F] [--server URL]

Lists the reporter's messages on clue ID, opened here with the account's
unit keys (the passphrase unwraps them), and when the unit replied (replies
are sealed to the reporter and show no text). Fetching them is an audited
opening of the clue.

options:
  --passphrase-file F  read the passphrase from F instead of the terminal
)"},
    UsageEntry{"stats",
               R"(usage: clueline stats [--unit ID] [--from YYYY-MM] [--to YYYY-MM]
                [--by site|category|status|accused_level|month] [--csv] [--server URL]

Prints the counts of the clues a unit handles, received in the months from
--from to --to (default: the last 12 months), grouped by site (default),
category, status, accused level or month: how many, how many missed a
deadline and escalated, and how many of those are still open (overdue).
Read from counters the server keeps; no clue is opened. For handlers, unit
admins and auditors, for their own unit and the units below it. The last
row is the total.

options:
  --unit ID         the unit (default: the one signed in to)
  --from YYYY-MM    the first month
  --to YYYY-MM      the last month (at most 120 months in all)
  --by DIM          how to group the counts
  --csv             print CSV (RFC 4180) instead of a table
)"},
};

}  // namespace

std::span<const UsageEntry> clue_usage_entries() { return kClueUsageEntries; }

}  // namespace clueline::app
