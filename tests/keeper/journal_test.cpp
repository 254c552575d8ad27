// Output journal: absolute offsets, acknowledged eviction, back-pressure, ring wrap-around.

#include "docker/keeper/journal.hpp"

#include <gtest/gtest.h>

#include <string>

namespace berth::keeper {
namespace {

std::string read_all(const journal& j, std::uint64_t from) {
  std::string out;
  while (from < j.end()) {
    const std::string_view chunk = j.read(from, 1000);
    EXPECT_FALSE(chunk.empty());
    if (chunk.empty()) break;
    out += chunk;
    from += chunk.size();
  }
  return out;
}

TEST(journal, starts_empty_at_offset_zero) {
  journal j(16);
  EXPECT_EQ(j.begin(), 0u);
  EXPECT_EQ(j.end(), 0u);
  EXPECT_EQ(j.writable(), 16u);
  EXPECT_TRUE(j.read(0, 10).empty());
}

TEST(journal, reads_back_bytes_at_their_absolute_offsets) {
  journal j(16);
  EXPECT_EQ(j.append("hello "), 6u);
  EXPECT_EQ(j.append("world"), 5u);
  EXPECT_EQ(j.end(), 11u);
  EXPECT_EQ(read_all(j, 0), "hello world");
  EXPECT_EQ(read_all(j, 6), "world");
}

TEST(journal, refuses_bytes_beyond_capacity_while_nothing_is_acknowledged) {
  journal j(8);
  EXPECT_EQ(j.append("0123456789"), 8u);
  EXPECT_EQ(j.writable(), 0u);
  EXPECT_EQ(j.append("x"), 0u);
  EXPECT_EQ(j.begin(), 0u);
  EXPECT_EQ(read_all(j, 0), "01234567");
}

TEST(journal, keeps_acknowledged_bytes_until_room_is_needed) {
  journal j(8);
  j.append("abcd");
  ASSERT_TRUE(j.ack(4));
  EXPECT_EQ(j.begin(), 0u);
  EXPECT_EQ(read_all(j, 0), "abcd");
  EXPECT_EQ(j.writable(), 8u);
}

TEST(journal, drops_only_the_oldest_acknowledged_bytes_to_make_room) {
  journal j(8);
  j.append("abcdefgh");
  ASSERT_TRUE(j.ack(3));
  EXPECT_EQ(j.append("XYZW"), 3u);
  EXPECT_EQ(j.begin(), 3u);
  EXPECT_EQ(j.end(), 11u);
  EXPECT_EQ(read_all(j, 3), "defghXYZ");
}

TEST(journal, returns_the_rest_of_a_wrapped_read_on_the_next_call) {
  journal j(8);
  j.append("abcdef");
  j.ack(6);
  j.append("ghijk");
  const std::string_view first = j.read(5, 100);
  EXPECT_EQ(first, "fgh");
  EXPECT_EQ(j.read(8, 100), "ijk");
  EXPECT_EQ(read_all(j, 3), "defghijk");
}

TEST(journal, reads_nothing_outside_the_held_range) {
  journal j(4);
  j.append("abcd");
  j.ack(4);
  j.append("ef");
  EXPECT_TRUE(j.read(1, 10).empty());
  EXPECT_TRUE(j.read(6, 10).empty());
  EXPECT_EQ(j.read(2, 10), "cd");
}

TEST(journal, refuses_an_ack_past_the_end_and_never_moves_acks_back) {
  journal j(8);
  j.append("abc");
  EXPECT_FALSE(j.ack(4));
  EXPECT_EQ(j.acked(), 0u);
  EXPECT_TRUE(j.ack(3));
  EXPECT_TRUE(j.ack(1));
  EXPECT_EQ(j.acked(), 3u);
}

TEST(journal, carries_a_long_stream_through_a_small_ring_byte_exact) {
  journal j(7);
  std::string sent;
  std::string received;
  std::uint64_t cursor = 0;
  for (int i = 0; i < 5000; ++i) {
    const std::string piece = std::to_string(i * 7919 % 1000) + ",";
    std::size_t taken = 0;
    while (taken < piece.size()) {
      taken += j.append(std::string_view(piece).substr(taken));
      const std::string_view chunk = j.read(cursor, 3);
      received += chunk;
      cursor += chunk.size();
      j.ack(cursor);
    }
    sent += piece;
  }
  received += read_all(j, cursor);
  EXPECT_EQ(received, sent);
}

}  // namespace
}  // namespace berth::keeper
