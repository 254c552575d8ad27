#include "http/user_gate.hpp"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace berth::http {
namespace {

TEST(user_gate, lets_each_user_hold_only_so_many_at_once) {
  user_gate gate(2);
  auto first = gate.enter("alice");
  auto second = gate.enter("alice");
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(gate.enter("alice"));
  EXPECT_TRUE(gate.enter("bob")) << "another user's count is their own";
  first.reset();
  EXPECT_EQ(gate.held("alice"), 1);
  EXPECT_TRUE(gate.enter("alice")) << "a released place is given back";
}

TEST(user_gate, counts_right_when_tickets_come_and_go_on_many_threads) {
  user_gate gate(1000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&gate] {
      for (int i = 0; i < 1000; ++i)
        EXPECT_TRUE(gate.enter("alice"));  // dropped at once
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(gate.held("alice"), 0);
}

}  // namespace
}  // namespace berth::http
