#include "http/json_writer.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <limits>

namespace berth::http {
namespace {

TEST(json_writer, writes_nested_objects_and_arrays_with_commas_in_place) {
  json_writer out;
  out.begin_object();
  out.key("list").begin_array();
  out.begin_object().key("a").value(std::int64_t{1}).end_object();
  out.begin_object().end_object();
  out.begin_array().end_array();
  out.value("x");
  out.end_array();
  out.key("flag").value(true);
  out.key("off").value(false);
  out.key("inner").begin_object().key("n").value(std::int64_t{-7}).end_object();
  out.end_object();
  EXPECT_EQ(std::move(out).take(),
            R"({"list":[{"a":1},{},[],"x"],"flag":true,"off":false,"inner":{"n":-7}})");
}

TEST(json_writer, writes_the_extreme_integers_exactly) {
  json_writer out;
  out.begin_array();
  out.value(std::numeric_limits<std::int64_t>::min());
  out.value(std::numeric_limits<std::int64_t>::max());
  out.value(std::int64_t{0});
  out.end_array();
  EXPECT_EQ(std::move(out).take(), "[-9223372036854775808,9223372036854775807,0]");
}

TEST(json_writer, escapes_strings_and_keys_so_any_text_round_trips) {
  const std::string hostile = std::string("quote \" backslash \\ newline \n tab \t nul ") + '\0' +
                              " bell \x07 del \x7f" + " é ✓ 😀 </script>";
  json_writer out;
  out.begin_object().key(hostile).value(hostile).end_object();
  const auto text = std::move(out).take();
  const auto parsed = boost::json::parse(text).as_object();
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(parsed.begin()->key(), hostile);
  EXPECT_EQ(parsed.begin()->value().as_string(), hostile);
  // Control characters never appear raw in the text.
  for (const char c : text)
    EXPECT_GE(static_cast<unsigned char>(c), 0x20) << text;
}

TEST(json_writer, replaces_invalid_utf8_so_the_text_stays_valid_json) {
  json_writer out;
  out.value(std::string_view("bad \xff\xfe tail \xe2\x82", 14));
  const auto text = std::move(out).take();
  EXPECT_EQ(text, "\"bad \\ufffd\\ufffd tail \\ufffd\\ufffd\"");
  EXPECT_NO_THROW((void)boost::json::parse(text));
}

}  // namespace
}  // namespace berth::http
