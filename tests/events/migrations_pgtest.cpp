#include <thread>

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "events/migrations.hpp"
#include "tests/support/pg_fixture.hpp"

namespace berth::events {
namespace {

using migrations_pgtest = testing::pg_test;

TEST_F(migrations_pgtest, applies_nothing_twice) {
  auto again = migrate(url());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(again->already_applied, bundled_migrations().size());
}

TEST_F(migrations_pgtest, compresses_output_bodies_with_lz4) {
  // Debian's PostgreSQL is built with lz4; pglz cost an eighth of its CPU during a flood.
  pqxx::connection c(url());
  pqxx::work tx(c);
  EXPECT_EQ(tx.exec1("SELECT attcompression FROM pg_attribute "
                     "WHERE attrelid = 'es_events'::regclass AND attname = 'body'")[0]
                .as<std::string>(),
            "l");
}

TEST_F(migrations_pgtest, applies_new_migrations_in_order_and_records_checksums) {
  auto migrations = bundled_migrations();
  migrations.push_back({9001, "9001_a.sql", "CREATE TABLE t_a (x int);"});
  migrations.push_back({9002, "9002_b.sql", "INSERT INTO t_a VALUES (1);"});
  auto report = migrate(url(), migrations);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->applied, (std::vector<std::string>{"9001_a.sql", "9002_b.sql"}));
  pqxx::connection c(url());
  pqxx::read_transaction tx(c);
  EXPECT_EQ(
      tx.exec1("SELECT checksum FROM schema_migrations WHERE number = 9001")[0].as<std::string>(),
      sha256_hex("CREATE TABLE t_a (x int);"));
}

TEST_F(migrations_pgtest, refuses_an_applied_migration_whose_file_changed) {
  auto migrations = bundled_migrations();
  migrations[0].sql += "\n-- edited after release";
  auto report = migrate(url(), migrations);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, error_code::corrupted);
  EXPECT_NE(report.error().message.find(migrations[0].file_name), std::string::npos);
}

TEST_F(migrations_pgtest, serialises_concurrent_migrators) {
  auto migrations = bundled_migrations();
  migrations.push_back(
      {9001, "9001_slow.sql", "SELECT pg_sleep(0.3); CREATE TABLE t_once (x int);"});
  std::vector<result<migrate_report>> reports(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    threads.emplace_back([&, i] { reports[i] = migrate(url(), migrations); });
  }
  for (auto& thread : threads)
    thread.join();
  int applied = 0;
  for (const auto& report : reports) {
    ASSERT_TRUE(report) << report.error().message;
    applied += static_cast<int>(report->applied.size());
  }
  EXPECT_EQ(applied, 1);
}

TEST_F(migrations_pgtest, reports_a_failing_migration_and_leaves_it_unrecorded) {
  auto migrations = bundled_migrations();
  migrations.push_back({9001, "9001_broken.sql", "CREATE TABLE broken (;"});
  auto report = migrate(url(), migrations);
  ASSERT_FALSE(report);
  pqxx::connection c(url());
  pqxx::read_transaction tx(c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM schema_migrations WHERE number = 9001")[0].as<int>(), 0);
}

}  // namespace
}  // namespace berth::events
