// Command line of the keeper binary.

#include "docker/keeper/options.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace berth::keeper {
namespace {

command parse(std::vector<const char*> args) {
  args.insert(args.begin(), "keeper");
  return parse_command_line(static_cast<int>(args.size()), args.data());
}

TEST(command_line, serve_uses_the_documented_defaults) {
  const command parsed = parse({"serve"});
  ASSERT_TRUE(std::holds_alternative<serve_options>(parsed));
  const auto& options = std::get<serve_options>(parsed);
  EXPECT_EQ(options.socket_path, "/tmp/.berth-keeper/keeper.sock");
  EXPECT_EQ(options.journal_bytes, 8u * 1024 * 1024);
  EXPECT_EQ(options.kill_after.count(), 2000);
}

TEST(command_line, serve_reads_socket_journal_size_with_suffix_and_kill_delay) {
  const command parsed = parse(
      {"serve", "--socket", "/run/k.sock", "--journal-bytes", "64K", "--kill-after-ms", "50"});
  ASSERT_TRUE(std::holds_alternative<serve_options>(parsed));
  const auto& options = std::get<serve_options>(parsed);
  EXPECT_EQ(options.socket_path, "/run/k.sock");
  EXPECT_EQ(options.journal_bytes, 64u * 1024);
  EXPECT_EQ(options.kill_after.count(), 50);
}

TEST(command_line, attach_reads_the_socket_flag) {
  const command parsed = parse({"attach", "--socket", "/run/k.sock"});
  ASSERT_TRUE(std::holds_alternative<attach_options>(parsed));
  EXPECT_EQ(std::get<attach_options>(parsed).socket_path, "/run/k.sock");
}

TEST(command_line, rejects_unknown_commands_flags_and_bad_values) {
  EXPECT_TRUE(std::holds_alternative<usage_error>(parse({})));
  EXPECT_TRUE(std::holds_alternative<usage_error>(parse({"run"})));
  EXPECT_TRUE(std::holds_alternative<usage_error>(parse({"serve", "--verbose", "1"})));
  EXPECT_TRUE(std::holds_alternative<usage_error>(parse({"serve", "--socket"})));
  EXPECT_TRUE(std::holds_alternative<usage_error>(parse({"serve", "--journal-bytes", "12x"})));
  EXPECT_TRUE(std::holds_alternative<usage_error>(parse({"serve", "--journal-bytes", "1"})));
  EXPECT_TRUE(std::holds_alternative<usage_error>(parse({"attach", "--journal-bytes", "1M"})));
  EXPECT_TRUE(std::holds_alternative<usage_error>(parse({"serve", "--kill-after-ms", "5K"})));
}

TEST(command_line, help_is_a_command_and_a_flag) {
  EXPECT_TRUE(std::holds_alternative<show_help>(parse({"help"})));
  EXPECT_TRUE(std::holds_alternative<show_help>(parse({"serve", "--help"})));
}

}  // namespace
}  // namespace berth::keeper
