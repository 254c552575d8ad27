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

TEST(array_literal, writes_bytes_as_escaped_hex) {
  array_literal literal;
  literal.add_bytes(std::string("\x00\xff", 2));
  EXPECT_EQ(std::move(literal).finish(), R"({"\\x00ff"})");
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
