// Poster verification: what a QR code photographed on a wall says about the
// poster it is on. A unit checks photos of its posters against replacements
// that send citizens elsewhere (a phishing page, a copied code on another
// server) or still carry a withdrawn code.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "clueline/qr/poster.hpp"
#include "clueline/services/clue_work.hpp"
#include "clueline/services/outcome.hpp"
#include "clueline/services/registry.hpp"

namespace clueline::services {

enum class PosterVerdict {
  kGenuine,  // this deployment's URL and a current token of a known site
  kRevoked,  // a genuine token whose version was withdrawn (site revoke)
  kForged,   // looks like ours (…/s/ + a 115-character token) but the token
             // does not verify, or a genuine token behind another server's URL
  kNotOurs,  // any other content: another site's URL, text, a payment code
};

// "genuine", "revoked", "forged", "not_ours": the JSON and CLI names.
std::string_view verdict_name(PosterVerdict verdict) noexcept;

struct PosterCodeCheck {
  PosterVerdict verdict = PosterVerdict::kNotOurs;
  std::string text;    // the code's content as read (shown to the unit, never stored)
  std::string reason;  // one sentence for people
  // For genuine and revoked codes: the site, its unit and the poster code
  // (crypto::poster_code) to compare with the one printed.
  std::uint32_t site_id = 0;
  std::string site_name;
  std::string unit_name;
  std::string poster_code;
};

// The verdict on one code's text. `base_url` is the URL posters print before
// "/s/" (Config::Server::public_base_url, or https://HOST), compared without
// regard to the case of scheme and host. Pure: reads `registry` only (its
// signing key, sites and units).
PosterCodeCheck check_poster_code(const RegistrySnapshot& registry, std::string_view text,
                                  std::string_view base_url);

struct PosterPhotoCheck {
  std::vector<PosterCodeCheck> codes;  // empty: no QR code found
  // The worst verdict among the codes (forged, then not ours, then revoked,
  // then genuine); meaningless when codes is empty.
  PosterVerdict overall = PosterVerdict::kNotOurs;
};

// Decodes a photo (PNG or JPEG, qr::ImageLimits) and checks every QR code in
// it. Refusals: unsupported_media_type (neither PNG nor JPEG),
// payload_too_large (file or pixel count over the limits), invalid_argument
// (a corrupt image). Blocking (image decoding, up to about a second): call on
// the blocking pool.
Outcome<PosterPhotoCheck> check_poster_photo(const RegistrySnapshot& registry,
                                             std::span<const std::byte> image,
                                             std::string_view base_url);

// POST /api/v1/qr/verify: check_poster_photo on the blocking pool, for any
// signed-in account (the caller has checked the session): a photo reveals
// only what the poster on the wall shows to anyone, and every role may be
// the one who walks past it.
boost::asio::awaitable<Outcome<PosterPhotoCheck>> verify_poster_photo(ClueWorkContext context,
                                                                      std::string image,
                                                                      std::string base_url);

// ---- printing posters -----------------------------------------------------------

// The poster's words in `language`, from the citizen page's embedded catalog
// (keys poster.heading, poster.instructions, poster.codeLabel): one catalog
// per language for the page and the wall. invalid_argument naming the
// languages there are; internal if a catalog lacks a key.
Outcome<qr::PosterText> poster_text(std::string_view language);
// Chinese first, where the posters hang; then the page's other languages.
std::vector<std::string> default_poster_languages();

inline constexpr std::size_t kMaxPostersPerRequest = 20;

struct PosterPrintRequest {
  std::vector<std::string> tokens;     // 1..kMaxPostersPerRequest site tokens, signed by the client
  std::vector<std::string> languages;  // empty: default_poster_languages()
  std::string base_url;                // as for check_poster_code
};
// POST /api/v1/admin/posters: a PDF with one A4 page per token, in order,
// for an admin (kManageSites; forbidden otherwise). The server holds no
// site-signing secret key: the client that does signs the tokens, and each
// must be genuine now — check_poster_code of base_url + "/s/" + token — or
// the answer is invalid_argument naming the first that is not (a forgery,
// another deployment's, an unknown site, a revoked version). Rendered on
// the blocking pool; a "site.poster" audit entry with the site ids is synced
// before the PDF is answered (unavailable if it cannot be).
boost::asio::awaitable<Outcome<std::string>> print_posters(ClueWorkContext context, Actor actor,
                                                           PosterPrintRequest request);

}  // namespace clueline::services
