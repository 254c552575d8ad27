#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "testing/scratch_database.hpp"

namespace berth::testing {

/// BERTH_DATABASE_URL from the environment; fails the test (never skips) when unset.
std::string admin_database_url();

/// Runs `scripts/services <verb>` (e.g. pg-stop, pg-start); true on success.
bool run_services(const std::string& verb);

/// Polls `condition` until it holds or `timeout` passes; true when it held.
bool wait_until(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// A fixture owning a fresh, migrated database for each test (`_pgtest` tests use it).
class pg_test : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override { database_.reset(); }
  const std::string& url() const { return database_->url(); }

 private:
  std::unique_ptr<scratch_database> database_;
};

}  // namespace berth::testing
