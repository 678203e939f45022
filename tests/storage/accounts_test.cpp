#include "clueline/storage/accounts.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "clueline/storage/audit.hpp"
#include "temp_directory.hpp"

namespace clueline::storage {
namespace {

Account sample(std::uint32_t unit_id) {
  Account account;
  account.login_name = "li.wei";
  account.unit_id = unit_id;
  account.role = Role::kUnitAdmin;
  account.auth_public_key[0] = std::byte{7};
  account.salt[3] = std::byte{9};
  account.kdf_opslimit = 3;
  account.kdf_memlimit = 268435456;
  account.wrapped_keys.push_back({.key_id = {std::byte{1}}, .blob = std::string(116, 'b')});
  account.totp_secret = std::string("\x00\x01secret", 8);
  account.created_at = 1'790'000'000;
  account.failed_logins = 2;
  account.last_failed_at = 1'790'000'100;
  return account;
}

TEST(AccountRecord, RoundTripsAndRefusesWhatThisVersionDidNotWrite) {
  Account account = sample(3);
  account.id = 12;
  const std::string bytes = encode(account);
  auto decoded = decode_account(bytes);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, account);
  EXPECT_EQ(decode_account("{}").error(), errc::storage_corruption);
  std::string bad_role = bytes;
  bad_role.replace(bad_role.find("\"role\":2"), 8, "\"role\":9");
  EXPECT_EQ(decode_account(bad_role).error(), errc::storage_corruption);
  std::string short_blob = bytes;
  short_blob.replace(short_blob.find("626262"), 6, "");
  EXPECT_EQ(decode_account(short_blob).error(), errc::storage_corruption);
}

TEST(AccountRecord, LoginNamesAreLowerCaseIdentifiers) {
  EXPECT_TRUE(valid_login_name("li.wei"));
  EXPECT_TRUE(valid_login_name("a"));
  EXPECT_TRUE(valid_login_name("handler-2_b"));
  EXPECT_FALSE(valid_login_name(""));
  EXPECT_FALSE(valid_login_name("Li"));
  EXPECT_FALSE(valid_login_name(".hidden"));
  EXPECT_FALSE(valid_login_name("with space"));
  EXPECT_FALSE(valid_login_name(std::string(65, 'a')));
  EXPECT_EQ(parse_role("unit_admin"), Role::kUnitAdmin);
  EXPECT_EQ(parse_role("root"), std::nullopt);
}

class AccountRegistryTest : public ::testing::Test {
 protected:
  AccountRegistryTest() {
    store_ = Store::open({.directory = directory_.path() / "db"}).value();
    unit_ = add_unit(*store_, {.name = "Township", .level = "township"}).value();
  }
  testing::TempDirectory directory_;
  std::unique_ptr<Store> store_;
  std::uint32_t unit_ = 0;
};

TEST_F(AccountRegistryTest, AddFindAndUpdateAreAudited) {
  auto id = add_account(*store_, sample(unit_));
  ASSERT_TRUE(id.has_value());
  auto found = find_account(*store_, "li.wei");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, *id);
  EXPECT_NE(found->created_at, 0);
  EXPECT_EQ(get_account(*store_, *id)->login_name, "li.wei");
  EXPECT_EQ(find_account(*store_, "nobody").error(), errc::not_found);
  EXPECT_EQ(find_account(*store_, "Not Valid").error(), errc::not_found);

  Account changed = *found;
  changed.state = AccountState::kDisabled;
  ASSERT_TRUE(put_account(*store_, changed, "account.disable").has_value());
  EXPECT_EQ(get_account(*store_, *id)->state, AccountState::kDisabled);
  Account renamed = changed;
  renamed.login_name = "someone.else";
  EXPECT_EQ(put_account(*store_, renamed, "account.update").error(), errc::invalid_argument);

  const auto entries = read_audit(*store_, 1, 100).value();
  ASSERT_GE(entries.size(), 3u);
  EXPECT_EQ(entries[entries.size() - 2].record.action, "account.add");
  EXPECT_EQ(entries.back().record.action, "account.disable");
  EXPECT_EQ(entries.back().record.object, "account:" + std::to_string(*id));
  // The audit detail names the keys, never the blobs or the second factor.
  EXPECT_EQ(entries.back().record.detail.find("626262"), std::string::npos);
  EXPECT_EQ(entries.back().record.detail.find("736563726574"), std::string::npos);
  EXPECT_TRUE(verify_audit(*store_)->intact);
  EXPECT_EQ(list_accounts(*store_)->size(), 1u);
}

TEST_F(AccountRegistryTest, RefusalsWriteNothing) {
  ASSERT_TRUE(add_account(*store_, sample(unit_)).has_value());
  const auto before = read_audit(*store_, 1, 100)->size();
  EXPECT_EQ(add_account(*store_, sample(unit_)).error(), errc::conflict);
  EXPECT_EQ(add_account(*store_, sample(999)).error(), errc::invalid_argument);
  Account no_key = sample(unit_);
  no_key.login_name = "other";
  no_key.auth_public_key = {};
  EXPECT_EQ(add_account(*store_, no_key).error(), errc::invalid_argument);
  EXPECT_EQ(read_audit(*store_, 1, 100)->size(), before);
  EXPECT_EQ(list_accounts(*store_)->size(), 1u);
}

TEST_F(AccountRegistryTest, TheAuthSecretIsMadeOnceAndKept) {
  auto first = load_or_create_auth_secret(*store_);
  ASSERT_TRUE(first.has_value());
  EXPECT_NE(*first, Bytes32{});
  EXPECT_EQ(load_or_create_auth_secret(*store_).value(), *first);
}

}  // namespace
}  // namespace clueline::storage
