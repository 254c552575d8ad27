#include "actors/keeper_text.hpp"

#include <gtest/gtest.h>

namespace berth::actors {
namespace {

TEST(keeper_text, keeps_a_plain_message_as_it_is) {
  EXPECT_EQ(quote_keeper_text("no such session"), "no such session");
}

TEST(keeper_text, replaces_newlines_escapes_and_non_ascii_bytes) {
  EXPECT_EQ(quote_keeper_text("a\nb\x1b[2Jc\xc3\xa9"), "a?b?[2Jc??");
}

TEST(keeper_text, cuts_long_text_and_says_so) {
  const auto quoted = quote_keeper_text(std::string(1 << 20, 'x'));
  EXPECT_EQ(quoted, std::string(max_keeper_text, 'x') + "...");
}

}  // namespace
}  // namespace berth::actors
