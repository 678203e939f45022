#include "json_request.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <charconv>

#include "clueline/crypto/encoding.hpp"
#include "responses.hpp"

namespace clueline::server {

namespace json = boost::json;

std::optional<JsonRequest> JsonRequest::parse(const Request& request,
                                              std::initializer_list<std::string_view> accepted,
                                              std::string& problem) {
  std::string names;
  for (const std::string_view name : accepted) {
    names += (names.empty() ? "" : ", ") + std::string(name);
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(request.body(), ec);
  if (ec || !parsed.is_object()) {
    problem = "expected a JSON object with members among: " + names;
    return std::nullopt;
  }
  for (const auto& member : parsed.get_object()) {
    if (std::find(accepted.begin(), accepted.end(), std::string_view(member.key())) ==
        accepted.end()) {
      problem = "unknown member; accepted: " + names;
      return std::nullopt;
    }
  }
  return JsonRequest(std::move(parsed.get_object()));
}

std::optional<std::string> JsonRequest::text(std::string_view name, std::size_t max_bytes) const {
  const json::value* value = object_.if_contains(name);
  if (value == nullptr || !value->is_string() || value->get_string().size() > max_bytes) {
    return std::nullopt;
  }
  return std::string(value->get_string());
}

std::optional<std::uint64_t> JsonRequest::integer(std::string_view name) const {
  const json::value* value = object_.if_contains(name);
  if (value == nullptr) return std::nullopt;
  if (value->is_uint64()) return value->get_uint64();
  if (value->is_int64() && value->get_int64() >= 0) {
    return static_cast<std::uint64_t>(value->get_int64());
  }
  return std::nullopt;
}

std::optional<std::uint32_t> JsonRequest::id(std::string_view name) const {
  const auto value = integer(name);
  if (!value || *value == 0 || *value > UINT32_MAX) return std::nullopt;
  return static_cast<std::uint32_t>(*value);
}

std::optional<bool> JsonRequest::boolean(std::string_view name) const {
  const json::value* value = object_.if_contains(name);
  if (value == nullptr || !value->is_bool()) return std::nullopt;
  return value->get_bool();
}

std::optional<std::vector<std::byte>> JsonRequest::bytes(std::string_view name,
                                                         std::size_t size) const {
  const auto encoded = text(name, 4 * size / 3 + 4);
  if (!encoded) return std::nullopt;
  auto decoded = crypto::from_base64url(*encoded);
  if (!decoded || decoded->size() != size) return std::nullopt;
  return std::vector<std::byte>(decoded->begin(), decoded->end());
}

std::optional<std::vector<std::byte>> JsonRequest::bytes_up_to(std::string_view name,
                                                               std::size_t max_size) const {
  const auto encoded = text(name, 4 * max_size / 3 + 4);
  if (!encoded) return std::nullopt;
  auto decoded = crypto::from_base64url(*encoded);
  if (!decoded || decoded->empty() || decoded->size() > max_size) return std::nullopt;
  return std::vector<std::byte>(decoded->begin(), decoded->end());
}

result<std::optional<std::uint32_t>> query_number(const Request& request, std::string_view name) {
  auto target = boost::urls::parse_origin_form(request.target());
  if (!target) return errc::invalid_argument;
  for (const auto& param : target->params()) {
    if (param.key != name) continue;
    std::uint32_t value = 0;
    const std::string& text = param.value;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value == 0) {
      return errc::invalid_argument;
    }
    return std::optional<std::uint32_t>(value);
  }
  return std::optional<std::uint32_t>();
}

std::optional<std::uint32_t> query_id(const Request& request, std::string_view name) {
  auto number = query_number(request, name);
  return number ? *number : std::nullopt;
}

std::optional<std::uint32_t> decimal_number(std::string_view text, std::uint32_t max) {
  std::uint32_t value = 0;
  if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

bool is_octet_stream(const Request& request) {
  return request[http::field::content_type] == "application/octet-stream";
}

std::variant<JsonRequest, Response> body_of(const Request& request,
                                            std::initializer_list<std::string_view> accepted) {
  std::string problem;
  auto body = JsonRequest::parse(request, accepted, problem);
  if (!body) return error_response(request, errc::malformed_json, problem);
  return std::move(*body);
}

Response bad_request(const Request& request, std::string_view message) {
  return error_response(request, errc::invalid_argument, message);
}

}  // namespace clueline::server
