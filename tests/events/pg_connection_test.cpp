#include "events/pg_connection.hpp"

#include <gtest/gtest.h>

#include "events/event.hpp"

namespace berth::events {

TEST(array_literal, quotes_and_escapes_elements) {
  array_literal literal;
  literal.add("plain");
  literal.add(R"(with "quote" and \ backslash)");
  literal.add_null();
  literal.add("");
  EXPECT_EQ(std::move(literal).finish(), R"({"plain","with \"quote\" and \\ backslash",NULL,""})");
}

/// The bytes of a binarystring, to compare with an expected layout.
std::string bytes_of(const pqxx::binarystring& binary) {
  return binary.str();
}

TEST(bytea_array, writes_the_binary_array_layout) {
  bytea_array array;
  array.add(std::string("\x00\xff", 2));
  array.add_null();
  // ndim 1, has nulls, element type 17 (bytea), 2 elements from index 1; then each element's
  // length (-1 for NULL) and bytes, every integer in network byte order.
  const std::string expected(
      "\0\0\0\1"
      "\0\0\0\1"
      "\0\0\0\x11"
      "\0\0\0\2"
      "\0\0\0\1"
      "\0\0\0\2\x00\xff"
      "\xff\xff\xff\xff",
      30);
  EXPECT_EQ(bytes_of(std::move(array).finish()), expected);
}

TEST(bytea_array, writes_an_empty_array_without_a_dimension) {
  EXPECT_EQ(bytes_of(bytea_array{}.finish()), std::string("\0\0\0\0\0\0\0\0\0\0\0\x11", 12));
}

TEST(pg_connection, adds_a_connect_timeout_to_urls_without_one) {
  EXPECT_EQ(pg_connection::with_defaults("postgresql://u@h/db"),
            "postgresql://u@h/db?connect_timeout=5");
  EXPECT_EQ(pg_connection::with_defaults("postgresql://u@h/db?sslmode=disable"),
            "postgresql://u@h/db?sslmode=disable&connect_timeout=5");
  EXPECT_EQ(pg_connection::with_defaults("host=h dbname=db"), "host=h dbname=db connect_timeout=5");
  EXPECT_EQ(pg_connection::with_defaults("postgresql://h/db?connect_timeout=1"),
            "postgresql://h/db?connect_timeout=1");
}

TEST(pg_connection, reports_an_unreachable_server_as_dependency_unavailable) {
  pg_connection connection("postgresql://nobody:x@127.0.0.1:1/none");
  auto outcome = connection.run([](pqxx::connection&) { return 1; });
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, error_code::dependency_unavailable);
}

TEST(stream_type_of, takes_the_prefix_before_the_first_dash) {
  EXPECT_EQ(stream_type_of("workspace-42"), "workspace");
  EXPECT_EQ(stream_type_of("session-a-b"), "session");
  EXPECT_EQ(stream_type_of("system"), "system");
}

}  // namespace berth::events
