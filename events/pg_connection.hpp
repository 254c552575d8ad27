#pragma once

#include <memory>
#include <string>
#include <utility>

#include <pqxx/pqxx>

#include "events/error.hpp"

namespace berth::events {

/// One PostgreSQL connection that reconnects lazily and turns libpqxx exceptions into typed
/// errors. Not thread-safe: one per thread (libpqxx connections must not be shared).
class pg_connection {
 public:
  /// `setup`, when given, is one more statement run on every new connection (settings of a
  /// connection with one job, like the append writer's).
  explicit pg_connection(std::string url, std::string setup = {});

  /// Runs `work(pqxx::connection&)` on a live connection. Exceptions become errors; after a
  /// connection-level failure the connection is dropped and the next call reconnects.
  template <class Work>
  auto run(Work&& work) -> result<decltype(work(std::declval<pqxx::connection&>()))> {
    using value_type = decltype(work(std::declval<pqxx::connection&>()));
    if (auto connected = ensure_connected(); !connected) return tl::unexpected(connected.error());
    try {
      if constexpr (std::is_void_v<value_type>) {
        work(*connection_);
        return {};
      } else {
        return work(*connection_);
      }
    } catch (...) {
      return tl::unexpected(classify_current_exception());
    }
  }

  /// Drops the connection (the next call reconnects).
  void reset() { connection_.reset(); }

  /// The connection URL with a connect timeout added when it has none.
  static std::string with_defaults(const std::string& url);

 private:
  result<void> ensure_connected();
  error classify_current_exception();

  std::string url_;
  std::string setup_;
  std::unique_ptr<pqxx::connection> connection_;
};

/// Runs `sql` as the prepared statement `name` of the transaction's connection. libpqxx
/// registers it with the server on its first use on each connection (again after a
/// reconnect), so the server parses and plans a hot query once, not on every call.
/// Statements whose best plan depends on their parameters' values are better left unprepared.
template <class... Args>
pqxx::result exec_prepared(pqxx::transaction_base& tx, const std::string& name,
                           const std::string& sql, Args&&... args) {
  tx.conn().prepare(name, sql);  // the same definition again is a no-op
  return tx.exec_prepared(name, std::forward<Args>(args)...);
}

/// Builds `{"a","b"}` array literals element by element, with NULL support.
class array_literal {
 public:
  array_literal() { text_.push_back('{'); }
  void add(std::string_view element);
  void add_null();
  std::string finish() &&;

 private:
  std::string text_;
  bool empty_ = true;
};

/// Builds a one-dimensional `bytea[]` in PostgreSQL's binary array format (the layout
/// `array_recv` reads), passed as a binary parameter: output bodies reach the server as they
/// are, where a text literal doubles them into hex for the server to parse back.
class bytea_array {
 public:
  bytea_array();
  void add(std::string_view bytes);
  void add_null();
  /// The array, for a parameter the statement casts to `bytea[]`.
  pqxx::binarystring finish() &&;

 private:
  /// The header of a one-dimensional array: five 32-bit integers.
  static constexpr std::size_t header_room = 20;
  std::string elements_;
  std::int32_t count_ = 0;
  bool has_null_ = false;
};

}  // namespace berth::events
