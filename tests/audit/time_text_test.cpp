#include "audit/time_text.hpp"

#include <gtest/gtest.h>

namespace berth::audit {
namespace {

using std::chrono::microseconds;

/// 2026-11-23T13:00:00Z in microseconds since the epoch (date -u -d ... +%s gives 1795438800).
constexpr std::int64_t thirteen_oclock_us = 1'795'438'800'000'000;

std::int64_t micros(std::string_view text) {
  const auto parsed = parse_time(text);
  EXPECT_TRUE(parsed) << text << ": " << parsed.error();
  return parsed ? parsed->time_since_epoch().count() : -1;
}

std::string refusal(std::string_view text) {
  const auto parsed = parse_time(text);
  EXPECT_FALSE(parsed) << text << " was accepted";
  return parsed ? "" : parsed.error();
}

TEST(time_text, reads_rfc3339_in_utc) {
  EXPECT_EQ(micros("2026-11-23T13:00:00Z"), thirteen_oclock_us);
  EXPECT_EQ(micros("2026-11-23t13:00:00z"), thirteen_oclock_us);
  EXPECT_EQ(micros("2026-11-23 13:00:00Z"), thirteen_oclock_us);
  EXPECT_EQ(micros("1970-01-01T00:00:00Z"), 0);
}

TEST(time_text, reads_fractional_seconds_down_to_microseconds) {
  EXPECT_EQ(micros("2026-11-23T13:00:00.5Z"), thirteen_oclock_us + 500'000);
  EXPECT_EQ(micros("2026-11-23T13:00:00.123456Z"), thirteen_oclock_us + 123'456);
  // Digits past the store's resolution are cut off, never rounded up into the next event.
  EXPECT_EQ(micros("2026-11-23T13:00:00.1234569999Z"), thirteen_oclock_us + 123'456);
}

TEST(time_text, applies_the_utc_offset) {
  EXPECT_EQ(micros("2026-11-23T14:00:00+01:00"), thirteen_oclock_us);
  EXPECT_EQ(micros("2026-11-23T07:30:00-05:30"), thirteen_oclock_us);
  EXPECT_EQ(micros("2026-11-24T00:59:00+11:59"), thirteen_oclock_us);
  EXPECT_EQ(micros("2026-11-23T13:00:00-00:00"), thirteen_oclock_us);
}

TEST(time_text, reads_milliseconds_since_the_epoch) {
  EXPECT_EQ(micros("1795438800000"), thirteen_oclock_us);
  EXPECT_EQ(micros("0"), 0);
  EXPECT_EQ(micros("253402300799999"), latest_time_ms * 1000);
}

TEST(time_text, accepts_the_29th_of_february_of_leap_years_only) {
  EXPECT_EQ(micros("2028-02-29T00:00:00Z"), 1'835'395'200'000'000);
  EXPECT_EQ(micros("2000-02-29T00:00:00Z"), 951'782'400'000'000);
  EXPECT_NE(refusal("2026-02-29T00:00:00Z"), "");
  EXPECT_NE(refusal("2100-02-29T00:00:00Z"), "");
}

TEST(time_text, refuses_malformed_times_and_says_what_is_expected) {
  for (const char* text : {"",
                           "now",
                           "2026-11-23",
                           "2026-11-23T13:00Z",
                           "2026-11-23T13:00:00",
                           "2026-11-23T13:00:00.Z",
                           "2026-11-23T13:00:00+0100",
                           "2026-11-23T13:00:00+01",
                           "26-11-23T13:00:00Z",
                           "2026-1-23T13:00:00Z",
                           "2026-11-23T13:00:00Z ",
                           " 2026-11-23T13:00:00Z",
                           "2026-11-23T13:00:00ZZ",
                           "2026/11/23T13:00:00Z",
                           "-1795438800000",
                           "+1795438800000",
                           "1795438800000.5",
                           "0x10",
                           "2026-11-23T13:00:00 01:00",
                           "２０２６-11-23T13:00:00Z"}) {
    EXPECT_NE(refusal(text), "") << text;
  }
  EXPECT_NE(refusal("yesterday").find("RFC 3339"), std::string::npos);
}

TEST(time_text, refuses_fields_out_of_range) {
  for (const char* text :
       {"2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-11-31T00:00:00Z",
        "2026-11-00T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T13:60:00Z",
        "2026-11-23T13:00:61Z", "2026-11-23T13:00:00+24:00", "2026-11-23T13:00:00+01:60"}) {
    EXPECT_NE(refusal(text), "") << text;
  }
  EXPECT_NE(refusal("2026-12-31T23:59:60Z").find("leap"), std::string::npos);
}

TEST(time_text, refuses_times_outside_1970_to_9999) {
  EXPECT_NE(refusal("1969-12-31T23:59:59.999999Z").find("1970"), std::string::npos);
  EXPECT_NE(refusal("1970-01-01T00:59:59+01:00").find("1970"), std::string::npos);
  EXPECT_NE(refusal("9999-12-31T23:59:59-00:01").find("9999"), std::string::npos);
  EXPECT_NE(refusal("253402300800000").find("9999"), std::string::npos);
  // Digits that would overflow a 64-bit integer are refused before any arithmetic.
  EXPECT_NE(refusal("99999999999999999999999999"), "");
  EXPECT_NE(refusal(std::string(10'000, '9')), "");
  EXPECT_NE(refusal("2026-11-23T13:00:00." + std::string(100, '1') + "Z"), "");
}

TEST(time_text, formats_utc_with_microseconds_and_reads_its_own_output_back) {
  const time_point at(microseconds(thirteen_oclock_us + 42));
  EXPECT_EQ(format_time(at), "2026-11-23T13:00:00.000042Z");
  EXPECT_EQ(parse_time(format_time(at)), at);
  EXPECT_EQ(format_time(time_point{}), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_time(time_point(microseconds(latest_time_ms * 1000 + 999))),
            "9999-12-31T23:59:59.999999Z");
  EXPECT_EQ(milliseconds_of(at), thirteen_oclock_us / 1000);
}

}  // namespace
}  // namespace berth::audit
