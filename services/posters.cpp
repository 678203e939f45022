#include "clueline/services/posters.hpp"

#include <algorithm>
#include <boost/algorithm/string/predicate.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <functional>

#include "blocking_read.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/site_token.hpp"
#include "clueline/qr/image.hpp"
#include "clueline/services/blocking.hpp"
#include "clueline/web/assets.hpp"
#include "commit.hpp"

namespace clueline::services {
namespace {

constexpr std::string_view kSitePath = "/s/";

bool is_token_text(std::string_view text) {
  return text.size() == crypto::kSiteTokenChars &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
         });
}

// The token of ".../s/TOKEN" (an http or https URL), or empty.
std::string_view token_of(std::string_view text) {
  if (!boost::algorithm::istarts_with(text, "https://") &&
      !boost::algorithm::istarts_with(text, "http://")) {
    return {};
  }
  const auto at = text.rfind(kSitePath);
  if (at == std::string_view::npos) return {};
  const std::string_view token = text.substr(at + kSitePath.size());
  return is_token_text(token) ? token : std::string_view();
}

// The scheme and host are compared without case (RFC 3986 §6.2.2.1); the
// token is compared exactly by the verification.
bool same_origin_and_path(std::string_view url_before_token, std::string_view base_url) {
  return boost::algorithm::iequals(url_before_token, base_url);
}

void describe_site(PosterCodeCheck& check, const RegistrySnapshot& registry, std::uint32_t site_id,
                   std::string_view token) {
  check.site_id = site_id;
  if (const storage::Site* site = registry.site(site_id)) {
    check.site_name = site->name;
    if (const storage::Unit* unit = registry.unit(site->unit_id)) check.unit_name = unit->name;
  }
  if (auto code = crypto::poster_code(token)) check.poster_code = std::move(*code);
}

Outcome<PosterPhotoCheck> check_photo_bytes(const std::shared_ptr<const RegistrySnapshot>& registry,
                                            const std::string& image, const std::string& base_url) {
  return check_poster_photo(*registry, std::as_bytes(std::span(image.data(), image.size())),
                            base_url);
}

int severity(PosterVerdict verdict) {
  switch (verdict) {
    case PosterVerdict::kForged:
      return 3;
    case PosterVerdict::kNotOurs:
      return 2;
    case PosterVerdict::kRevoked:
      return 1;
    case PosterVerdict::kGenuine:
      return 0;
  }
  return 3;
}

}  // namespace

std::string_view verdict_name(PosterVerdict verdict) noexcept {
  switch (verdict) {
    case PosterVerdict::kGenuine:
      return "genuine";
    case PosterVerdict::kRevoked:
      return "revoked";
    case PosterVerdict::kForged:
      return "forged";
    case PosterVerdict::kNotOurs:
      return "not_ours";
  }
  return "not_ours";
}

PosterCodeCheck check_poster_code(const RegistrySnapshot& registry, std::string_view text,
                                  std::string_view base_url) {
  PosterCodeCheck check;
  check.text = std::string(text);
  const std::string_view token = token_of(text);
  if (token.empty()) {
    check.verdict = PosterVerdict::kNotOurs;
    check.reason = "not a clueline poster code: it does not lead to a report page";
    return check;
  }
  const auto fields = registry.signing_key ? crypto::verify_site_token(token, *registry.signing_key)
                                           : result<crypto::SiteToken>(errc::not_found);
  const storage::Site* site = fields ? registry.site(fields->site_id) : nullptr;
  if (site == nullptr) {
    check.verdict = PosterVerdict::kForged;
    check.reason =
        "forged: the code looks like a report page but was not signed with this deployment's "
        "key for one of its sites";
    return check;
  }
  describe_site(check, registry, site->id, token);
  if (site->token_version != fields->token_version) {
    check.verdict = PosterVerdict::kRevoked;
    check.reason = "a withdrawn code of this deployment: replace the poster with a current one";
    return check;
  }
  const std::string_view before_token =
      text.substr(0, text.size() - token.size() - kSitePath.size());
  if (!same_origin_and_path(before_token, base_url)) {
    // A genuine token copied behind another server's address: the page it
    // opens is not ours, whatever it shows.
    check.verdict = PosterVerdict::kForged;
    check.reason = "forged: a genuine site code behind another address (" +
                   std::string(before_token) + "), not " + std::string(base_url);
    return check;
  }
  check.verdict = PosterVerdict::kGenuine;
  check.reason = "genuine: a current code of this site";
  return check;
}

Outcome<PosterPhotoCheck> check_poster_photo(const RegistrySnapshot& registry,
                                             std::span<const std::byte> image,
                                             std::string_view base_url) {
  auto decoded = qr::decode_image(image);
  if (!decoded) {
    switch (errc_of(decoded.error())) {
      case errc::unsupported_media_type:
        return refuse(errc::unsupported_media_type, "the photo must be a JPEG or PNG image");
      case errc::payload_too_large:
        return refuse(errc::payload_too_large, "the photo is too large (at most 50 megapixels)");
      default:
        return refuse(errc::invalid_argument, "the photo could not be decoded");
    }
  }
  PosterPhotoCheck result;
  for (const std::string& text : qr::read_qr_codes(*decoded)) {
    result.codes.push_back(check_poster_code(registry, text, base_url));
    if (result.codes.size() == 1 ||
        severity(result.codes.back().verdict) > severity(result.overall)) {
      result.overall = result.codes.back().verdict;
    }
  }
  return result;
}

boost::asio::awaitable<Outcome<PosterPhotoCheck>> verify_poster_photo(ClueWorkContext context,
                                                                      std::string image,
                                                                      std::string base_url) {
  const auto registry = context.auth->registry->current();
  co_return co_await run_blocking(
      *context.auth->blocking_pool,
      std::bind_front(&check_photo_bytes, registry, std::move(image), std::move(base_url)));
}

Outcome<qr::PosterText> poster_text(std::string_view language) {
  const std::string language_text(language);
  const auto catalog =
      web::find_asset(std::string(web::static_root()) + "report/i18n/" + language_text + ".json");
  if (!catalog) {
    std::string known;
    for (const std::string_view tag : web::page_languages()) {
      known += (known.empty() ? "" : ", ") + std::string(tag);
    }
    return refuse(errc::invalid_argument,
                  "no poster texts in " + language_text + " (there are " + known + ")");
  }
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(catalog->identity, ec);
  const boost::json::object* texts = ec ? nullptr : parsed.if_object();
  qr::PosterText text;
  text.language = language_text;
  for (const auto& [key, field] : {std::pair{"poster.heading", &qr::PosterText::heading},
                                   std::pair{"poster.instructions", &qr::PosterText::instructions},
                                   std::pair{"poster.codeLabel", &qr::PosterText::code_label}}) {
    const boost::json::value* value = texts == nullptr ? nullptr : texts->if_contains(key);
    if (value == nullptr || !value->is_string()) {
      return refuse(errc::internal, "the " + language_text + " catalog has no " + key);
    }
    text.*field = std::string(value->as_string());
  }
  return text;
}

std::vector<std::string> default_poster_languages() {
  std::vector<std::string> languages{"zh-CN"};
  for (const std::string_view tag : web::page_languages()) {
    if (tag != "zh-CN") languages.emplace_back(tag);
  }
  return languages;
}

namespace {

Outcome<std::string> render_posters(std::vector<qr::Poster> posters) {
  auto pdf = qr::posters_pdf(posters);
  if (!pdf) return refuse(errc::internal, "the posters could not be rendered");
  return std::move(*pdf);
}

}  // namespace

boost::asio::awaitable<Outcome<std::string>> print_posters(ClueWorkContext context, Actor actor,
                                                           PosterPrintRequest request) {
  if (auto refused = check_authorized(*context.auth, actor, Action::kManageSites, {})) {
    co_return *refused;
  }
  if (request.tokens.empty() || request.tokens.size() > kMaxPostersPerRequest) {
    co_return refuse(errc::invalid_argument,
                     "tokens: 1 to " + std::to_string(kMaxPostersPerRequest) + " site tokens");
  }
  if (request.languages.empty()) request.languages = default_poster_languages();
  if (request.languages.size() > web::page_languages().size()) {
    co_return refuse(errc::invalid_argument, "languages: at most one of each page language");
  }
  std::vector<qr::PosterText> texts;
  for (const std::string& language : request.languages) {
    auto text = poster_text(language);
    if (!text) co_return text.error();
    texts.push_back(std::move(*text));
  }
  const auto registry = context.auth->registry->current();
  std::vector<qr::Poster> posters;
  boost::json::array site_ids;
  for (std::size_t i = 0; i < request.tokens.size(); ++i) {
    const std::string url = request.base_url + std::string(kSitePath) + request.tokens[i];
    const PosterCodeCheck check = check_poster_code(*registry, url, request.base_url);
    if (check.verdict != PosterVerdict::kGenuine) {
      co_return refuse(errc::invalid_argument, "tokens[" + std::to_string(i) + "] is " +
                                                   std::string(verdict_name(check.verdict)) + ": " +
                                                   check.reason);
    }
    site_ids.push_back(check.site_id);
    posters.push_back({.url = url,
                       .site_name = check.site_name,
                       .unit_name = check.unit_name,
                       .poster_code = check.poster_code,
                       .texts = texts});
  }
  auto pdf = co_await run_blocking(*context.auth->blocking_pool,
                                   std::bind_front(&render_posters, std::move(posters)));
  if (!pdf) co_return pdf.error();
  storage::GroupCommitWriter::Submission audit;
  audit.audit.push_back(
      {.at = now_seconds(*context.auth),
       .actor = "account:" + std::to_string(actor.account_id),
       .action = "site.poster",
       .object = "deployment",
       .detail = boost::json::serialize(boost::json::object{{"site_ids", std::move(site_ids)}})});
  if (!co_await commit(context.auth->writer, std::move(audit))) {
    co_return refuse(errc::unavailable, "the printing could not be logged; try again", 1);
  }
  co_return std::move(*pdf);
}

}  // namespace clueline::services
