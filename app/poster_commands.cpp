// `site qr`, `site poster` and `site verify`: what goes on the wall, and the
// check of a photo of what is on it.
#include <boost/json/array.hpp>
#include <cstdint>
#include <iostream>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "clueline/crypto/site_token.hpp"
#include "clueline/qr/image.hpp"
#include "clueline/qr/poster.hpp"
#include "clueline/qr/qr_code.hpp"
#include "clueline/qr/render.hpp"
#include "clueline/services/intake.hpp"
#include "clueline/services/posters.hpp"
#include "clueline/storage/records.hpp"
#include "commands.hpp"
#include "files.hpp"
#include "options.hpp"
#include "output.hpp"
#include "registry.hpp"

namespace clueline::app {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// `site qr 7 …` and `site qr --id 7 …` alike: leading words are ids.
std::pair<std::vector<std::string>, std::span<char*>> leading_words(std::span<char*> args) {
  std::vector<std::string> words;
  while (!args.empty() && !std::string_view(args[0]).starts_with("--")) {
    words.emplace_back(args[0]);
    args = args.subspan(1);
  }
  return {std::move(words), args};
}

std::vector<std::uint32_t> site_ids(const std::vector<std::string>& words,
                                    const CommandOptions& options) {
  std::vector<std::uint32_t> ids;
  for (const std::string& word : words) ids.push_back(parse_id(word, "ID"));
  for (const std::string& id : options.all("--id")) ids.push_back(parse_id(id, "--id"));
  if (ids.empty()) throw UsageError("name a site: ID or --id ID");
  return ids;
}

// --languages, or the default: Chinese first, then the page's others.
std::vector<std::string> poster_languages(const CommandOptions& options) {
  if (!options.has("--languages")) return services::default_poster_languages();
  std::vector<std::string> languages;
  std::string list = options.required("--languages");
  for (std::size_t start = 0; start <= list.size();) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    if (comma > start) languages.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  if (languages.empty()) throw UsageError("--languages needs at least one language");
  return languages;
}

json::object verdict_json(const services::PosterCodeCheck& check) {
  json::object object{{"verdict", services::verdict_name(check.verdict)},
                      {"text", check.text},
                      {"reason", check.reason}};
  if (check.site_id != 0) {
    object["site_id"] = check.site_id;
    object["site_name"] = check.site_name;
    object["unit_name"] = check.unit_name;
    object["poster_code"] = check.poster_code;
  }
  return object;
}

}  // namespace

int site_qr(std::span<char*> all_args) {
  const auto [words, args] = leading_words(all_args);
  const CommandOptions options(args, {"--data-dir", "--config", "--id", "--signing-key",
                                      "--base-url", "--svg", "--format", "--out"});
  const auto ids = site_ids(words, options);
  if (ids.size() != 1) throw UsageError("site qr takes one site");
  const std::string format = options.value_or("--format", "svg");
  if (format != "svg" && format != "png") throw UsageError("--format must be svg or png");
  if (options.has("--format") && !options.has("--out")) {
    throw UsageError("--format needs --out FILE");
  }
  const std::string base_url = base_url_of(options);
  const fs::path key_file = options.required("--signing-key");
  const crypto::SigningKeyPair key = read_signing_key_file(key_file);
  auto store = open_database(registry_data_dir(options), false);
  require_matching_deployment(*store, key, key_file);
  json::object printed =
      signed_site_json(existing_site(*store, ids.front(), "site"), key, base_url);
  const std::string url(printed.at("url").as_string());
  const qr::QrCode code = checked(qr::encode(url), "encoding " + url + " as a QR code");
  if (options.has("--svg")) {
    const fs::path svg = options.required("--svg");
    replace_file(svg, qr::to_svg(code));
    printed["svg"] = svg.string();
  }
  if (options.has("--out")) {
    const fs::path out = options.required("--out");
    replace_file(out, format == "png" ? checked(qr::to_png(code), "the PNG") : qr::to_svg(code));
    printed[format] = out.string();
  }
  // As text: the code to scan or photograph, with the site as its caption.
  // With --json only the JSON, which a script can read whole.
  if (!json_output(options)) std::cout << qr::to_terminal(code) << '\n';
  print_result(options, printed);
  return 0;
}

int site_poster(std::span<char*> all_args) {
  const auto [words, args] = leading_words(all_args);
  const CommandOptions options(
      args,
      {"--data-dir", "--config", "--id", "--signing-key", "--base-url", "--out", "--languages"},
      {"--id"});
  const auto ids = site_ids(words, options);
  const fs::path out = options.required("--out");
  std::vector<qr::PosterText> texts;
  for (const std::string& language : poster_languages(options)) {
    auto text = services::poster_text(language);
    if (!text) throw UsageError("--languages: " + text.error().message);
    texts.push_back(std::move(*text));
  }
  const std::string base_url = base_url_of(options);
  const fs::path key_file = options.required("--signing-key");
  const crypto::SigningKeyPair key = read_signing_key_file(key_file);
  auto store = open_database(registry_data_dir(options), false);
  require_matching_deployment(*store, key, key_file);

  std::vector<qr::Poster> posters;
  json::array printed;
  for (const std::uint32_t id : ids) {
    const storage::Site site = existing_site(*store, id, "site");
    json::object object = signed_site_json(site, key, base_url);
    const auto unit = storage::get_unit(*store, site.unit_id);
    const std::string token(object.at("token").as_string());
    const std::string code = checked(crypto::poster_code(token), "the poster code");
    posters.push_back({.url = std::string(object.at("url").as_string()),
                       .site_name = site.name,
                       .unit_name = unit ? unit->name : std::string(),
                       .poster_code = code,
                       .texts = texts});
    object["poster_code"] = code;
    printed.push_back(std::move(object));
  }
  replace_file(out, checked(qr::posters_pdf(posters), "the posters"));
  if (!json_output(options))
    std::cout << "wrote " << ids.size() << " poster(s) to " << out.string() << '\n';
  print_results(options, printed, "no posters");
  return 0;
}

int site_verify(std::span<char*> all_args) {
  const auto [words, args] = leading_words(all_args);
  const CommandOptions options(args, {"--data-dir", "--config", "--base-url", "--image"});
  std::vector<fs::path> images(words.begin(), words.end());
  if (options.has("--image")) images.emplace_back(options.required("--image"));
  if (images.size() != 1) throw UsageError("site verify takes one IMAGE (a JPEG or PNG photo)");
  const crypto::Bytes photo = read_bytes(images.front());
  const std::string base_url = base_url_of(options);
  const services::Config config = command_config(options);
  auto store = open_database(config.storage.data_dir, false);
  const services::Intake intake(*store, config);
  const auto checked_photo =
      services::check_poster_photo(*intake.registry().current(), photo, base_url);
  if (!checked_photo)
    throw std::runtime_error(images.front().string() + ": " + checked_photo.error().message);
  json::array codes;
  for (const auto& code : checked_photo->codes) codes.push_back(verdict_json(code));
  const std::string_view overall = checked_photo->codes.empty()
                                       ? std::string_view("no_code")
                                       : services::verdict_name(checked_photo->overall);
  if (!json_output(options)) {
    std::cout << images.front().string() << ": " << overall << '\n';
    for (const auto& code : checked_photo->codes) {
      std::cout << "  " << services::verdict_name(code.verdict) << ": " << code.reason;
      if (code.site_id != 0) {
        std::cout << " (site " << code.site_id << " " << code.site_name << ", poster code "
                  << code.poster_code << ")";
      }
      std::cout << '\n';
    }
    if (checked_photo->codes.empty()) std::cout << "  no QR code was found in the photo\n";
  } else {
    print_result(options, json::object{{"verdict", overall}, {"codes", std::move(codes)}});
  }
  // A script can branch on the exit code: 0 only for a photo of genuine codes.
  return !checked_photo->codes.empty() &&
                 checked_photo->overall == services::PosterVerdict::kGenuine
             ? 0
             : 1;
}

}  // namespace clueline::app
