// Private to storage/: the byte and JSON helpers every stored record shares
// (records.cpp, audit.cpp), so that all records are encoded and checked the
// same way.
//
// Decoding is strict: a stored record with a missing or mistyped field is
// corruption, not a default. Errors travel as the exception Corrupt inside
// the decoders only and become errc::storage_corruption in decode_with.
#pragma once

#include <array>
#include <boost/algorithm/hex.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>

#include "clueline/common/error.hpp"

namespace clueline::storage::json_record {

namespace json = boost::json;

// The "v" of every JSON record this version writes.
inline constexpr std::int64_t kFormatVersion = 1;

inline void append_u32be(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

inline void append_u64be(std::string& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

// The first 8 bytes of `bytes` (the caller checks there are 8).
inline std::uint64_t read_u64be(std::string_view bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 8; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

template <std::size_t N>
void append_bytes(std::string& out, const std::array<std::byte, N>& bytes) {
  out.append(reinterpret_cast<const char*>(bytes.data()), N);
}

template <std::size_t N>
std::string hex(const std::array<std::byte, N>& bytes) {
  std::string out;
  const auto* begin = reinterpret_cast<const char*>(bytes.data());
  boost::algorithm::hex_lower(begin, begin + N, std::back_inserter(out));
  return out;
}

struct Corrupt {};

// Variable-length bytes (held in a std::string) as lowercase hex, and back:
// Corrupt unless `text` is hex of at most `max_bytes` bytes.
inline std::string hex_string(std::string_view bytes) {
  std::string out;
  boost::algorithm::hex_lower(bytes.begin(), bytes.end(), std::back_inserter(out));
  return out;
}

inline std::string unhex_string(std::string_view text, std::size_t max_bytes) {
  if (text.size() % 2 != 0 || text.size() > 2 * max_bytes) throw Corrupt{};
  std::string raw;
  try {
    boost::algorithm::unhex(text.begin(), text.end(), std::back_inserter(raw));
  } catch (const std::exception&) {
    throw Corrupt{};
  }
  return raw;
}

inline const json::object& object_of(const json::value& value) {
  if (!value.is_object()) throw Corrupt{};
  return value.get_object();
}

inline const json::value& field(const json::object& object, std::string_view name) {
  const json::value* value = object.if_contains(name);
  if (value == nullptr) throw Corrupt{};
  return *value;
}

inline std::string string_field(const json::object& object, std::string_view name) {
  const json::value& value = field(object, name);
  if (!value.is_string()) throw Corrupt{};
  return std::string(value.get_string());
}

template <typename Integer>
Integer integer_value(const json::value& value) {
  // Boost.JSON keeps numbers above INT64_MAX as uint64; each kind is read as
  // itself, because converting one to the other throws instead of failing.
  if (value.is_uint64()) {
    const std::uint64_t number = value.get_uint64();
    if (!std::in_range<Integer>(number)) throw Corrupt{};
    return static_cast<Integer>(number);
  }
  if (!value.is_int64()) throw Corrupt{};
  const std::int64_t number = value.get_int64();
  if (!std::in_range<Integer>(number)) throw Corrupt{};
  return static_cast<Integer>(number);
}

template <typename Integer>
Integer integer_field(const json::object& object, std::string_view name) {
  return integer_value<Integer>(field(object, name));
}

inline bool bool_field(const json::object& object, std::string_view name) {
  const json::value& value = field(object, name);
  if (!value.is_bool()) throw Corrupt{};
  return value.get_bool();
}

template <std::size_t N>
std::array<std::byte, N> bytes_from_hex(std::string_view text) {
  if (text.size() != 2 * N) throw Corrupt{};
  std::string raw;
  try {
    boost::algorithm::unhex(text.begin(), text.end(), std::back_inserter(raw));
  } catch (const std::exception&) {
    throw Corrupt{};
  }
  std::array<std::byte, N> out;
  std::memcpy(out.data(), raw.data(), N);
  return out;
}

template <std::size_t N>
std::array<std::byte, N> bytes_field(const json::object& object, std::string_view name) {
  return bytes_from_hex<N>(string_field(object, name));
}

inline const json::array& array_field(const json::object& object, std::string_view name) {
  const json::value& value = field(object, name);
  if (!value.is_array()) throw Corrupt{};
  return value.get_array();
}

inline json::object versioned() { return json::object{{"v", kFormatVersion}}; }

// Parses `bytes` as a JSON object of this format version and hands it to
// `decoder`; storage_corruption for anything else, or if `decoder` throws
// Corrupt.
template <typename Record, typename Decoder>
result<Record> decode_with(std::string_view bytes, Decoder decoder) {
  boost::system::error_code ec;
  const json::value value = json::parse(bytes, ec);
  if (ec) return errc::storage_corruption;
  try {
    const json::object& object = object_of(value);
    if (integer_field<std::int64_t>(object, "v") != kFormatVersion) {
      return errc::storage_corruption;
    }
    return decoder(object);
  } catch (const Corrupt&) {
    return errc::storage_corruption;
  }
}

}  // namespace clueline::storage::json_record
