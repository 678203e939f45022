// Attachment upload over real TLS into RocksDB (docs/api.md, PUT
// /api/v1/followup/attachments/{n}/{part}): a file encrypted as a
// secretstream is sent in parts with the session from the report's 201, the
// follow-up lists it, and the stored parts decrypt to the file. Every refusal
// (order, completion, index, stream length, session, content type) leaves
// the database exactly as it was.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "clueline/storage/store.hpp"
#include "deployment_fixture.hpp"
#include "https_client.hpp"
#include "server_process.hpp"

namespace clueline::testing {
namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;
namespace json = boost::json;

constexpr std::size_t kFileBytes = 150'000;
constexpr std::size_t kPartBytes = 64 * 1024;
constexpr std::string_view kMarker = "marker-att-3f9c2e71 ledger of diverted funds";

std::string to_string(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// `size` random bytes with kMarker written in every 10,000 bytes, so that a
// plaintext leak would be found in the data directory.
crypto::Bytes make_file(std::size_t size) {
  crypto::Bytes file(size);
  crypto::random_bytes(file);
  for (std::size_t at = 0; at + kMarker.size() <= size; at += 10'000) {
    std::copy_n(reinterpret_cast<const std::byte*>(kMarker.data()), kMarker.size(),
                file.begin() + static_cast<std::ptrdiff_t>(at));
  }
  return file;
}

// Keys added, removed or changed from `before` to `after`, one a line
// (family, key in hex, value size); empty if the two are equal.
std::string difference(const Snapshot& before, const Snapshot& after) {
  const auto describe = [](const Snapshot::key_type& key, const std::string& value) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text = "family " + std::to_string(key.first) + " key ";
    for (const unsigned char c : key.second) {
      text += kDigits[c >> 4];
      text += kDigits[c & 15];
    }
    return text + " (" + std::to_string(value.size()) + " bytes)\n";
  };
  std::string lines;
  for (const auto& [key, value] : after) {
    const auto found = before.find(key);
    if (found == before.end()) {
      lines += "added " + describe(key, value);
    } else if (found->second != value) {
      lines += "changed " + describe(key, value);
    }
  }
  for (const auto& [key, value] : before) {
    if (!after.contains(key)) lines += "removed " + describe(key, value);
  }
  return lines;
}

// The stream cut into parts of kPartBytes (the last one shorter).
std::vector<std::string> cut(const crypto::Bytes& stream) {
  std::vector<std::string> parts;
  for (std::size_t at = 0; at < stream.size(); at += kPartBytes) {
    const std::size_t size = std::min(kPartBytes, stream.size() - at);
    parts.push_back(to_string(std::span(stream).subspan(at, size)));
  }
  return parts;
}

class AttachmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("clueline-attachment-" + std::to_string(std::random_device{}()));
    data_dir_ = directory_ / "data";
    create_data_dir(data_dir_);
    deployment_ = write_test_deployment(data_dir_);
    crypto::random_bytes(lookup_key_);
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
    fs::remove_all(directory_);
  }

  // Starts (or restarts) the server; once a report exists, opens a new
  // follow-up session with its receipt (sessions live in server memory).
  void start() {
    server_.reset();
    client_.reset();
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    server_.emplace("Attachment." + name, ServerOptions{.extra_config = "[pow]\ndifficulty = 0\n",
                                                        .data_dir = data_dir_});
    client_.emplace(server_->certificate(), server_->public_port());
    if (!clue_id_) return;
    const auto session = client_->open_followup_session(lookup_key_);
    ASSERT_EQ(session.result_int(), 201) << session.body();
    bearer_ = "Bearer " + std::string(HttpsClient::json(session).at("session").as_string());
  }
  void stop() {
    ASSERT_EQ(server_->terminate(std::chrono::seconds(10)), 0) << server_->stderr_text();
    client_.reset();
  }

  // Submits a report whose receipt lookup key the test knows; keeps the
  // session of the 201.
  void submit_report() {
    known_state_.reset();
    const auto route = client_->get("/api/v1/route?site=" + deployment_.site_token +
                                    "&category=bribery&accused_level=village");
    ASSERT_EQ(route.result_int(), 200) << route.body();
    const json::object answer = HttpsClient::json(route).as_object();
    ReportOptions options{.text = "report with attachments", .token = deployment_.site_token};
    options.recipients = route_keys(answer);
    const auto challenge = crypto::from_base64url(answer.at("pow").at("challenge").as_string());
    ASSERT_TRUE(challenge.has_value());
    options.challenge.emplace();
    std::copy(challenge->begin(), challenge->end(), options.challenge->begin());
    options.difficulty = static_cast<unsigned>(answer.at("pow").at("difficulty").as_int64());
    options.lookup_hash = crypto::receipt_lookup_hash(lookup_key_);
    const BuiltReport report = build_report(options);
    const auto submitted = client_->post_bytes("/api/v1/reports", report.envelope);
    ASSERT_EQ(submitted.result_int(), 201) << submitted.body();
    const json::object receipt = HttpsClient::json(submitted).as_object();
    const auto id = crypto::from_base64url(receipt.at("clue_id").as_string()).value();
    ASSERT_EQ(id.size(), 16u);
    clue_id_.emplace();
    std::copy(id.begin(), id.end(), clue_id_->begin());
    ASSERT_TRUE(receipt.contains("session")) << submitted.body();
    bearer_ = "Bearer " + std::string(receipt.at("session").as_string());
  }

  std::string target(unsigned n, unsigned part, bool final_part = false) const {
    return "/api/v1/followup/attachments/" + std::to_string(n) + "/" + std::to_string(part) +
           (final_part ? "?final=1" : "");
  }
  HttpsClient::Response put(unsigned n, unsigned part, const std::string& bytes,
                            bool final_part = false) {
    return client_->request(http::verb::put, target(n, part, final_part), bytes,
                            "application/octet-stream", bearer_);
  }
  // A part the server must accept, with the answer the API promises.
  void put_accepted(unsigned n, unsigned part, const std::string& bytes, bool final_part,
                    std::uint64_t total_so_far) {
    known_state_.reset();
    const auto response = put(n, part, bytes, final_part);
    ASSERT_EQ(response.result_int(), 201) << response.body();
    const json::value expected = json::object{{"attachment", std::int64_t{n}},
                                              {"part", std::int64_t{part}},
                                              {"bytes", static_cast<std::int64_t>(total_so_far)},
                                              {"complete", final_part}};
    EXPECT_EQ(HttpsClient::json(response), expected) << response.body();
  }

  // The "attachments" of GET /api/v1/followup.
  json::value attachments() {
    const auto response = client_->get("/api/v1/followup", bearer_);
    EXPECT_EQ(response.result_int(), 200) << response.body();
    if (response.result_int() != 200) return nullptr;
    return HttpsClient::json(response).at("attachments");
  }

  // Sends one request that must be refused with `status` and error `code`;
  // the follow-up answer is unchanged, and (across a restart) so is every
  // stored key and value. The database is read with the server stopped; the
  // state after one refusal is the state before the next unless a part was
  // accepted in between (put_accepted forgets it).
  template <typename Send>
  void expect_refused_without_change(int status, std::string_view code, Send send) {
    if (!known_state_) {
      stop();
      known_state_ = snapshot(data_dir_);
      start();
    }
    const json::value listed_before = attachments();
    const auto response = send();
    EXPECT_EQ(response.result_int(), status) << response.body();
    boost::system::error_code parse_error;
    const json::value body = json::parse(response.body(), parse_error);
    const json::value* error_code = body.find_pointer("/error/code", parse_error);
    EXPECT_TRUE(error_code != nullptr && *error_code == json::string(code))
        << "expected error code " << code << ": " << response.body();
    EXPECT_EQ(attachments(), listed_before);
    stop();
    Snapshot after = snapshot(data_dir_);
    EXPECT_EQ(difference(*known_state_, after), "") << "a refused part changed the database";
    known_state_ = std::move(after);
    start();
  }

  // The stored parts of attachment `n`, concatenated; the caller expects
  // exactly `parts` of them.
  std::string stored_stream(std::uint8_t n, std::uint32_t parts) {
    auto store = storage::Store::open({.directory = data_dir_ / "rocksdb"});
    EXPECT_TRUE(store.has_value()) << store.error().message();
    if (!store) return {};
    std::string stream;
    for (std::uint32_t part = 0; part < parts; ++part) {
      auto bytes =
          (*store)->get(storage::Family::kClues, storage::attachment_part_key(*clue_id_, n, part));
      EXPECT_TRUE(bytes.has_value()) << "part " << part << ": " << bytes.error().message();
      if (bytes) stream += *bytes;
    }
    // Nothing beyond the last part, of this attachment or any other.
    std::string prefix = to_string(*clue_id_) + "p";
    const auto rows = (*store)->scan(storage::Family::kClues, prefix, 1000);
    EXPECT_TRUE(rows.has_value());
    if (rows) {
      std::size_t of_n = 0;
      for (const auto& row : *rows) {
        if (row.first.size() > prefix.size() &&
            static_cast<std::uint8_t>(row.first[prefix.size()]) == n) {
          ++of_n;
        }
      }
      EXPECT_EQ(of_n, parts) << "stored parts of attachment " << int{n};
    }
    return stream;
  }

  storage::Clue stored_clue() {
    auto store = storage::Store::open({.directory = data_dir_ / "rocksdb"}).value();
    auto clue = storage::decode_clue(
        store->get(storage::Family::kClues, storage::clue_key(*clue_id_)).value());
    EXPECT_TRUE(clue.has_value());
    return clue ? *clue : storage::Clue{};
  }

  fs::path directory_;
  fs::path data_dir_;
  TestDeployment deployment_;
  storage::Bytes32 lookup_key_{};
  std::optional<storage::ClueId> clue_id_;
  std::string bearer_;
  std::optional<Snapshot> known_state_;  // the database as last read, if still current
  std::optional<ServerProcess> server_;
  std::optional<HttpsClient> client_;
};

TEST_F(AttachmentTest, UploadedInPartsListedCompleteAndDecryptsToTheFile) {
  start();
  ASSERT_NO_FATAL_FAILURE(submit_report());
  const crypto::Bytes file = make_file(kFileBytes);
  const auto key = crypto::generate_attachment_key();
  const auto stream = crypto::encrypt_attachment(file, key);
  ASSERT_TRUE(stream.has_value());
  ASSERT_EQ(stream->size(), crypto::attachment_stream_size(kFileBytes));
  const std::vector<std::string> parts = cut(*stream);
  ASSERT_EQ(parts.size(), 4u);  // 3 × 64 KiB and the 75-byte rest of 196,683

  EXPECT_EQ(attachments(), json::value(json::array{}));
  std::uint64_t sent = 0;
  for (std::size_t part = 0; part < parts.size(); ++part) {
    sent += parts[part].size();
    ASSERT_NO_FATAL_FAILURE(
        put_accepted(0, static_cast<unsigned>(part), parts[part], part + 1 == parts.size(), sent));
    if (part + 1 < parts.size()) {
      const json::value partial = json::array{
          json::object{{"n", 0}, {"bytes", static_cast<std::int64_t>(sent)}, {"complete", false}}};
      EXPECT_EQ(attachments(), partial);
    }
  }
  const json::value complete = json::array{json::object{
      {"n", 0}, {"bytes", static_cast<std::int64_t>(stream->size())}, {"complete", true}}};
  EXPECT_EQ(attachments(), complete);
  // The listing survives a restart (it is the stored record, not memory).
  stop();
  start();
  EXPECT_EQ(attachments(), complete);
  stop();

  const storage::Clue clue = stored_clue();
  const std::vector<storage::AttachmentState> expected_state{
      {.index = 0, .bytes = stream->size(), .parts = 4, .complete = true}};
  EXPECT_EQ(clue.attachments, expected_state);
  const std::string stored = stored_stream(0, static_cast<std::uint32_t>(parts.size()));
  ASSERT_EQ(stored.size(), stream->size());
  EXPECT_TRUE(stored == to_string(*stream)) << "the stored parts differ from the uploaded stream";
  const auto decrypted = crypto::decrypt_attachment(crypto::as_bytes(stored), key);
  ASSERT_TRUE(decrypted.has_value()) << decrypted.error().message();
  EXPECT_TRUE(*decrypted == file) << "the stored stream does not decrypt to the file";

  // Only ciphertext reached the disk.
  for (const auto& entry : fs::recursive_directory_iterator(data_dir_)) {
    if (!entry.is_regular_file()) continue;
    EXPECT_EQ(read_file(entry.path()).find(kMarker), std::string::npos) << entry.path();
  }
}

TEST_F(AttachmentTest, RefusedPartsChangeNothing) {
  start();
  ASSERT_NO_FATAL_FAILURE(submit_report());
  const crypto::Bytes file = make_file(kFileBytes);
  const auto key = crypto::generate_attachment_key();
  const crypto::Bytes stream = crypto::encrypt_attachment(file, key).value();
  const std::vector<std::string> parts = cut(stream);
  ASSERT_EQ(parts.size(), 4u);
  ASSERT_NO_FATAL_FAILURE(put_accepted(0, 0, parts[0], false, parts[0].size()));

  // Out of order: a gap, and part 0 again.
  expect_refused_without_change(409, "conflict", [&] { return put(0, 2, parts[2]); });
  expect_refused_without_change(409, "conflict", [&] { return put(0, 0, parts[0]); });
  // A new attachment must start at part 0.
  expect_refused_without_change(409, "conflict", [&] { return put(1, 1, parts[1]); });
  // Attachment indexes are 0..7.
  expect_refused_without_change(400, "invalid_argument", [&] { return put(8, 0, parts[0]); });
  // ?final=1 with a total that is not 24 + k·65553: part 1 cut short, and a
  // new attachment of only the 24-byte header (k = 0).
  expect_refused_without_change(400, "invalid_argument", [&] {
    return put(0, 1, parts[1].substr(0, parts[1].size() - 1), true);
  });
  expect_refused_without_change(400, "invalid_argument",
                                [&] { return put(2, 0, parts[0].substr(0, 24), true); });
  // No session, a session that does not exist, a malformed one.
  expect_refused_without_change(404, "not_found", [&] {
    return client_->request(http::verb::put, target(0, 1), parts[1], "application/octet-stream");
  });
  expect_refused_without_change(404, "not_found", [&] {
    storage::Bytes32 invented;
    crypto::random_bytes(invented);
    return client_->request(http::verb::put, target(0, 1), parts[1], "application/octet-stream",
                            "Bearer " + crypto::to_base64url(invented));
  });
  expect_refused_without_change(404, "not_found", [&] {
    return client_->request(http::verb::put, target(0, 1), parts[1], "application/octet-stream",
                            "Basic " + bearer_.substr(7));
  });
  // Not application/octet-stream.
  expect_refused_without_change(415, "unsupported_media_type", [&] {
    return client_->request(http::verb::put, target(0, 1), parts[1], "text/plain", bearer_);
  });

  // The refusals left attachment 0 where it was: it completes normally.
  std::uint64_t sent = parts[0].size();
  for (std::size_t part = 1; part < parts.size(); ++part) {
    sent += parts[part].size();
    ASSERT_NO_FATAL_FAILURE(
        put_accepted(0, static_cast<unsigned>(part), parts[part], part + 1 == parts.size(), sent));
  }

  // A completed attachment cannot change: neither a further part nor a
  // rewrite of one it has.
  expect_refused_without_change(409, "conflict", [&] { return put(0, 4, parts[3]); });
  expect_refused_without_change(409, "conflict", [&] { return put(0, 3, parts[3], true); });
  expect_refused_without_change(409, "conflict", [&] { return put(0, 0, parts[0]); });

  const json::value complete = json::array{json::object{
      {"n", 0}, {"bytes", static_cast<std::int64_t>(stream.size())}, {"complete", true}}};
  EXPECT_EQ(attachments(), complete);
  stop();
  const std::string stored = stored_stream(0, static_cast<std::uint32_t>(parts.size()));
  const auto decrypted = crypto::decrypt_attachment(crypto::as_bytes(stored), key);
  ASSERT_TRUE(decrypted.has_value()) << decrypted.error().message();
  EXPECT_TRUE(*decrypted == file);
  // Nothing of the refused attachments 1, 2 and 8 was stored.
  EXPECT_EQ(stored_stream(1, 0), "");
  EXPECT_EQ(stored_stream(2, 0), "");
  EXPECT_EQ(stored_stream(8, 0), "");
  EXPECT_EQ(stored_clue().attachments.size(), 1u);
}

}  // namespace
}  // namespace clueline::testing
