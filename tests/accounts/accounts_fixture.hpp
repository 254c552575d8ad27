#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "accounts/accounts.hpp"
#include "auth/key.hpp"
#include "events/event_store.hpp"
#include "tests/support/pg_fixture.hpp"

namespace berth::accounts::testing {

/// An account service on a scratch database, with a clock the test moves.
class accounts_fixture : public berth::testing::pg_test {
 protected:
  void SetUp() override {
    pg_test::SetUp();
    if (HasFatalFailure()) return;
    store_ = std::make_unique<events::event_store>(events::event_store::options{url()});
    service_ = std::make_unique<account_service>(*store_, service_options());
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    pg_test::TearDown();
  }

  account_service::options service_options() {
    account_service::options opts;
    opts.database_url = url();
    opts.jwt_secret = std::string(32, 'j');
    opts.master_key = auth::generate_key();
    opts.password_limits = auth::password_limits::minimum();
    opts.default_image = "berth-workspace:test";
    opts.clock = [this] { return now_.load(); };
    return opts;
  }

  account_service& accounts() { return *service_; }
  events::event_store& store() { return *store_; }

  /// Creates a user with password `password-<name>`; fails the test when refused.
  user make_user(const std::string& name, role r = role::member) {
    auto created = accounts().create_user(name, "password-" + name, r, admin_context());
    EXPECT_TRUE(created) << created.error().message;
    return created ? *created : user{};
  }

  static change_context admin_context() { return {"system", "192.0.2.1", ""}; }

  /// One text value (NULL reads as "").
  std::string query(const std::string& sql) {
    pqxx::connection connection(url());
    pqxx::read_transaction tx(connection);
    const auto row = tx.exec1(sql);
    return row[0].is_null() ? std::string() : std::string(row[0].c_str());
  }

  void advance(std::chrono::milliseconds by) { now_.store(now_.load() + by); }

  std::atomic<std::chrono::system_clock::time_point> now_{std::chrono::system_clock::now()};

 private:
  std::unique_ptr<events::event_store> store_;
  std::unique_ptr<account_service> service_;
};

}  // namespace berth::accounts::testing
