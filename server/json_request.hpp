// Reading JSON request bodies: one object with known members, each checked
// for type and size, so that every handler refuses malformed input the
// same way (400 with a message saying what is accepted) before it calls a
// service.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "clueline/common/error.hpp"
#include "http_types.hpp"

namespace clueline::server {

class JsonRequest {
 public:
  // The body as a JSON object whose members are all in `accepted`; nothing
  // (and `problem` set) otherwise.
  static std::optional<JsonRequest> parse(const Request& request,
                                          std::initializer_list<std::string_view> accepted,
                                          std::string& problem);

  bool has(std::string_view name) const { return object_.contains(name); }
  // Each returns nothing if the member is absent or of the wrong shape.
  std::optional<std::string> text(std::string_view name, std::size_t max_bytes = 1024) const;
  // An integer 1..2^32-1.
  std::optional<std::uint32_t> id(std::string_view name) const;
  std::optional<std::uint64_t> integer(std::string_view name) const;
  std::optional<bool> boolean(std::string_view name) const;
  // base64url of exactly `size` bytes.
  std::optional<std::vector<std::byte>> bytes(std::string_view name, std::size_t size) const;
  // base64url of 1..max_size bytes.
  std::optional<std::vector<std::byte>> bytes_up_to(std::string_view name,
                                                    std::size_t max_size) const;
  const boost::json::object& object() const { return object_; }

 private:
  explicit JsonRequest(boost::json::object object) : object_(std::move(object)) {}
  boost::json::object object_;
};

// The value of query parameter `name` of the target as a whole number
// 1..2^32-1: nothing when absent, invalid_argument when present but not
// such a number (the first occurrence counts).
result<std::optional<std::uint32_t>> query_number(const Request& request, std::string_view name);

// query_number for a required parameter: nothing when absent or malformed.
std::optional<std::uint32_t> query_id(const Request& request, std::string_view name);

// `text` as a decimal number 0..max: digits only, no sign, no spaces, for
// path segments and query values; nothing otherwise.
std::optional<std::uint32_t> decimal_number(std::string_view text, std::uint32_t max);

// True if the request says its body is application/octet-stream.
bool is_octet_stream(const Request& request);

// The body, or the 400 answer (malformed_json) saying what it should have
// been.
std::variant<JsonRequest, Response> body_of(const Request& request,
                                            std::initializer_list<std::string_view> accepted);

// A 400 (invalid_argument) with `message`.
Response bad_request(const Request& request, std::string_view message);

}  // namespace clueline::server
