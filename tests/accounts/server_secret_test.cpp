#include "accounts/server_secret.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace berth::accounts {
namespace {

class server_secret : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/berth-secret-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    root_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::filesystem::path root_;
};

TEST_F(server_secret, creates_a_private_file_once_and_reads_it_back) {
  const auto data_dir = root_ / "data";
  auto first = load_or_create_jwt_secret(data_dir, std::nullopt);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->size(), 32u);
  struct stat info {};
  ASSERT_EQ(stat((data_dir / "auth-secret").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto second = load_or_create_jwt_secret(data_dir, std::nullopt);
  ASSERT_TRUE(second);
  EXPECT_EQ(*first, *second);
}

TEST_F(server_secret, prefers_the_environment_and_refuses_a_short_one) {
  const std::string secret(40, 's');
  auto loaded = load_or_create_jwt_secret(root_, secret);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(*loaded, secret);
  EXPECT_FALSE(std::filesystem::exists(root_ / "auth-secret"));
  auto refused = load_or_create_jwt_secret(root_, std::string(31, 's'));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, error::code::invalid);
}

TEST_F(server_secret, refuses_a_damaged_file) {
  std::ofstream(root_ / "auth-secret") << "not hex\n";
  EXPECT_FALSE(load_or_create_jwt_secret(root_, std::nullopt));
}

}  // namespace
}  // namespace berth::accounts
