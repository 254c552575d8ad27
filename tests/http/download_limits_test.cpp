// Bounds on streamed downloads (http/download_limits.hpp), with an injected clock.
#include <gtest/gtest.h>

#include "http/download_limits.hpp"

namespace berth::http {
namespace {

using namespace std::chrono_literals;

TEST(download_gate, lets_a_user_run_only_so_many_downloads_at_once) {
  download_gate gate({.per_user = 2});
  auto first = gate.enter("alice");
  auto second = gate.enter("alice");
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(gate.enter("alice"));
  EXPECT_TRUE(gate.enter("bob"));  // others are not affected
  EXPECT_EQ(gate.running("alice"), 2u);
  first.reset();  // a download ended: its place is free again
  EXPECT_EQ(gate.running("alice"), 1u);
  EXPECT_TRUE(gate.enter("alice"));
}

TEST(download_gate, a_ticket_shared_by_copies_counts_once_until_the_last_goes) {
  download_gate gate({.per_user = 1});
  auto ticket = gate.enter("alice");
  auto copy = ticket;  // the response's stream holds one, the route another
  ticket.reset();
  EXPECT_FALSE(gate.enter("alice"));
  copy.reset();
  EXPECT_EQ(gate.running("alice"), 0u);
}

TEST(bounded_writer, stops_a_download_at_its_byte_limit) {
  std::string sent;
  const std::function<bool(std::string_view)> write = [&](std::string_view piece) {
    sent += piece;
    return true;
  };
  const auto bounded = bounded_writer(write, {.max_bytes = 10});
  EXPECT_TRUE(bounded("12345"));
  EXPECT_TRUE(bounded("67890"));
  EXPECT_FALSE(bounded("x"));  // the eleventh byte would pass the limit
  EXPECT_EQ(sent, "1234567890");
}

TEST(bounded_writer, stops_a_download_at_its_time_limit) {
  auto now = std::chrono::steady_clock::time_point{};
  std::size_t writes = 0;
  const std::function<bool(std::string_view)> write = [&](std::string_view) {
    ++writes;
    return true;
  };
  const auto bounded = bounded_writer(write, {.max_duration = 60s}, [&] { return now; });
  EXPECT_TRUE(bounded("a"));
  now += 59s;
  EXPECT_TRUE(bounded("b"));
  now += 1s;  // a sparse terabyte file would still be streaming
  EXPECT_FALSE(bounded("c"));
  EXPECT_EQ(writes, 2u);
}

TEST(bounded_writer, passes_on_the_clients_departure) {
  const std::function<bool(std::string_view)> gone = [](std::string_view) { return false; };
  EXPECT_FALSE(bounded_writer(gone, {})("a"));
}

}  // namespace
}  // namespace berth::http
