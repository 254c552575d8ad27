#include "events/migrations.hpp"

#include <map>

#include <openssl/evp.h>

#include "events/pg_connection.hpp"

namespace berth::events {
namespace {

// Arbitrary, fixed key for pg_advisory_lock: "berth-migrate" in spirit.
constexpr std::int64_t migration_lock_key = 0x6265727468'6d67;

struct migration_conflict {
  std::string message;
};

}  // namespace

std::string sha256_hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 0x0f]);
  }
  return out;
}

result<migrate_report> migrate(const std::string& database_url,
                               const std::vector<migration>& migrations) {
  pg_connection connection(database_url);
  std::string conflict;
  auto outcome = connection.run([&](pqxx::connection& c) {
    migrate_report report;
    {
      pqxx::nontransaction session(c);
      session.exec_params("SELECT pg_advisory_lock($1)", migration_lock_key);
    }
    try {
      pqxx::nontransaction setup(c);
      setup.exec0(
          "CREATE TABLE IF NOT EXISTS schema_migrations (number int PRIMARY KEY, "
          "file_name text NOT NULL, checksum text NOT NULL, "
          "applied_at timestamptz NOT NULL DEFAULT now())");
      std::map<int, std::pair<std::string, std::string>> applied;
      for (const auto& row :
           setup.exec("SELECT number, file_name, checksum FROM schema_migrations")) {
        applied[row[0].as<int>()] = {row[1].c_str(), row[2].c_str()};
      }
      setup.commit();
      for (const auto& m : migrations) {
        const auto checksum = sha256_hex(m.sql);
        if (const auto found = applied.find(m.number); found != applied.end()) {
          if (found->second.second != checksum) {
            conflict = "migration " + m.file_name + " was changed after it was applied (applied " +
                       found->second.first + " with checksum " + found->second.second +
                       ", file now " + checksum + ")";
            break;
          }
          ++report.already_applied;
          continue;
        }
        pqxx::work tx(c);
        tx.exec(m.sql);
        tx.exec_params(
            "INSERT INTO schema_migrations (number, file_name, checksum) VALUES ($1, $2, $3)",
            m.number, m.file_name, checksum);
        tx.commit();
        report.applied.push_back(m.file_name);
      }
    } catch (...) {
      pqxx::nontransaction session(c);
      session.exec_params("SELECT pg_advisory_unlock($1)", migration_lock_key);
      throw;
    }
    pqxx::nontransaction session(c);
    session.exec_params("SELECT pg_advisory_unlock($1)", migration_lock_key);
    return report;
  });
  if (!conflict.empty()) return fail(error_code::corrupted, conflict);
  return outcome;
}

}  // namespace berth::events
