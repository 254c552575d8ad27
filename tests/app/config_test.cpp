#include "app/config.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

namespace berth::app {
namespace {

class config_test : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto& key : config_keys())
      unsetenv(key.environment);
    unsetenv("DATABASE_URL");
  }
  void TearDown() override { SetUp(); }
};

TEST_F(config_test, uses_defaults_when_nothing_is_set) {
  auto loaded = load_config({});
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->values.listen, "127.0.0.1:8080");
  EXPECT_EQ(loaded->values.data_dir, ".local/data");
  EXPECT_TRUE(loaded->values.database_url.empty());
  // The test binary sits in build/tests/app: its ../web/dist is build/tests/web/dist.
  EXPECT_TRUE(loaded->values.web_root.ends_with("/web/dist")) << loaded->values.web_root;
  EXPECT_EQ(loaded->values.web_root.find(".."), std::string::npos) << loaded->values.web_root;
}

TEST_F(config_test, lets_flags_win_over_environment_over_file) {
  const std::string path = ::testing::TempDir() + "berth_config_test.conf";
  std::ofstream(path) << "# comment\nlisten = 0.0.0.0:1\ndata-dir = /from/file\nlog-level = warn\n";
  setenv("BERTH_LISTEN", "127.0.0.1:2", 1);
  setenv("BERTH_DATA_DIR", "/from/env", 1);
  auto loaded = load_config({"--config", path, "--data-dir=/from/flag"});
  ASSERT_TRUE(loaded) << loaded.error();
  EXPECT_EQ(loaded->values.listen, "127.0.0.1:2");
  EXPECT_EQ(loaded->values.data_dir, "/from/flag");
  EXPECT_EQ(loaded->values.log_level, "warn");
  std::remove(path.c_str());
}

TEST_F(config_test, honours_the_standard_database_url_variable) {
  setenv("DATABASE_URL", "postgresql://standard/db", 1);
  EXPECT_EQ(load_config({})->values.database_url, "postgresql://standard/db");
  setenv("BERTH_DATABASE_URL", "postgresql://berth/db", 1);
  EXPECT_EQ(load_config({})->values.database_url, "postgresql://berth/db");
}

TEST_F(config_test, returns_unknown_arguments_untouched) {
  auto loaded = load_config({"eventstore", "--seconds", "3", "--listen", "x:1"});
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->rest, (std::vector<std::string>{"eventstore", "--seconds", "3"}));
  EXPECT_EQ(loaded->values.listen, "x:1");
}

TEST_F(config_test, rejects_a_flag_without_its_value) {
  EXPECT_FALSE(load_config({"--listen"}));
}

TEST_F(config_test, rejects_an_unreadable_or_malformed_config_file) {
  EXPECT_FALSE(load_config({"--config", "/nonexistent/berth.conf"}));
  const std::string path = ::testing::TempDir() + "berth_bad.conf";
  std::ofstream(path) << "no-such-key = 1\n";
  auto loaded = load_config({"--config", path});
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().find(":1:"), std::string::npos);
  std::remove(path.c_str());
}

TEST_F(config_test, documents_every_key_in_the_help_text) {
  const auto help = config_help();
  for (const auto& key : config_keys()) {
    EXPECT_NE(help.find(key.flag), std::string::npos);
    EXPECT_NE(help.find(key.environment), std::string::npos);
  }
}

}  // namespace
}  // namespace berth::app
