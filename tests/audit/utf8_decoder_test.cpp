#include "audit/utf8_decoder.hpp"

#include <gtest/gtest.h>

namespace berth::audit {
namespace {

std::string decode_whole(std::string_view bytes) {
  utf8_decoder decoder;
  std::string out;
  decoder.decode(bytes, out);
  decoder.finish(out);
  return out;
}

const std::string fffd(replacement_character);

TEST(utf8_decoder, passes_valid_text_through_unchanged) {
  const std::string text = "plain \x1b[1mbold\x1b[0m é ☃ 🚀 日本";
  EXPECT_EQ(decode_whole(text), text);
}

TEST(utf8_decoder, holds_a_split_character_until_its_last_byte_arrives) {
  const std::string snowman = "\xe2\x98\x83", rocket = "\xf0\x9f\x9a\x80";
  for (const auto& character : {snowman, rocket, std::string("\xc3\xa9")}) {
    for (std::size_t cut = 1; cut < character.size(); ++cut) {
      utf8_decoder decoder;
      std::string first, second;
      decoder.decode("a" + character.substr(0, cut), first);
      EXPECT_EQ(first, "a");
      EXPECT_TRUE(decoder.holding());
      decoder.decode(character.substr(cut) + "b", second);
      EXPECT_EQ(second, character + "b");
      EXPECT_FALSE(decoder.holding());
    }
  }
  // One byte at a time, too.
  utf8_decoder decoder;
  std::string out;
  for (const char byte : rocket + snowman)
    decoder.decode(std::string_view(&byte, 1), out);
  EXPECT_EQ(out, rocket + snowman);
}

TEST(utf8_decoder, replaces_each_maximal_invalid_subpart_with_one_fffd) {
  // The examples of the WHATWG Encoding Standard and Unicode's "U+FFFD substitution of maximal
  // subparts": a valid byte after a broken sequence is kept.
  EXPECT_EQ(decode_whole("a\xff"
                         "b"),
            "a" + fffd + "b");
  EXPECT_EQ(decode_whole("\x80\x80"), fffd + fffd);
  EXPECT_EQ(decode_whole("\xc3"
                         "A"),
            fffd + "A");
  EXPECT_EQ(decode_whole("\xe2\x98"
                         "A"),
            fffd + "A");
  EXPECT_EQ(decode_whole("\xc0\xaf"), fffd + fffd);                        // overlong '/'
  EXPECT_EQ(decode_whole("\xe0\x80\xaf"), fffd + fffd + fffd);             // overlong
  EXPECT_EQ(decode_whole("\xed\xa0\x80"), fffd + fffd + fffd);             // a UTF-16 surrogate
  EXPECT_EQ(decode_whole("\xf4\x90\x80\x80"), fffd + fffd + fffd + fffd);  // past U+10FFFF
  EXPECT_EQ(decode_whole("\xf0\x9f\x9a"
                         "\xe2\x98\x83"),
            fffd + "\xe2\x98\x83");
}

TEST(utf8_decoder, ends_an_unfinished_character_as_one_fffd) {
  utf8_decoder decoder;
  std::string out;
  decoder.decode("ok\xf0\x9f", out);
  EXPECT_EQ(out, "ok");
  decoder.finish(out);
  EXPECT_EQ(out, "ok" + fffd);
  EXPECT_FALSE(decoder.holding());
  decoder.finish(out);
  EXPECT_EQ(out, "ok" + fffd);
}

}  // namespace
}  // namespace berth::audit
