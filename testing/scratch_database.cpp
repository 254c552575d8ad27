#include "testing/scratch_database.hpp"

#include <random>

#include <pqxx/pqxx>

#include "events/migrations.hpp"
#include "events/pg_connection.hpp"

namespace berth::testing {

std::string with_database(const std::string& url, const std::string& database) {
  const bool is_uri = url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0;
  if (!is_uri) return url + " dbname=" + database;
  const auto authority = url.find("://") + 3;
  const auto query = url.find('?', authority);
  const auto slash = url.find('/', authority);
  const auto path_start = (slash == std::string::npos || slash > query) ? query : slash;
  const auto prefix = path_start == std::string::npos ? url : url.substr(0, path_start);
  const auto suffix = query == std::string::npos ? std::string() : url.substr(query);
  return prefix + "/" + database + suffix;
}

scratch_database::scratch_database(std::string admin_url, std::string name, std::string url)
    : admin_url_(std::move(admin_url)), name_(std::move(name)), url_(std::move(url)) {}

scratch_database::scratch_database(scratch_database&& other) noexcept
    : admin_url_(std::move(other.admin_url_)),
      name_(std::move(other.name_)),
      url_(std::move(other.url_)) {
  other.name_.clear();
}

events::result<scratch_database> scratch_database::create(const std::string& admin_url,
                                                          const std::string& prefix) {
  std::random_device random;
  const auto name = prefix + "_" + std::to_string(random() % 1'000'000'000);
  events::pg_connection admin(admin_url);
  auto created = admin.run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    tx.exec0("CREATE DATABASE " + tx.quote_name(name));
  });
  if (!created) return tl::unexpected(created.error());
  scratch_database database(admin_url, name, with_database(admin_url, name));
  if (auto migrated = events::migrate(database.url()); !migrated)
    return tl::unexpected(migrated.error());
  return database;
}

scratch_database::~scratch_database() {
  if (name_.empty()) return;
  events::pg_connection admin(admin_url_);
  (void)admin.run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
  });
}

}  // namespace berth::testing
