#include "events/pg_connection.hpp"

#include <string_view>

namespace berth::events {
namespace {

bool is_connection_state(const std::string& sqlstate) {
  // Class 08 is "connection exception"; 57P01..57P03 are shutdown and start-up states.
  return sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

}  // namespace

pg_connection::pg_connection(std::string url) : url_(with_defaults(url)) {}

std::string pg_connection::with_defaults(const std::string& url) {
  if (url.find("connect_timeout") != std::string::npos) return url;
  const bool is_uri = url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0;
  if (!is_uri) return url + " connect_timeout=5";
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=5";
}

result<void> pg_connection::ensure_connected() {
  if (connection_ && connection_->is_open()) return {};
  connection_.reset();
  try {
    auto connection = std::make_unique<pqxx::connection>(url_);
    // A transaction left open holds back pg_snapshot_xmin, which stalls every feed reader.
    pqxx::nontransaction setup(*connection);
    setup.exec0("SET idle_in_transaction_session_timeout = '30s'");
    connection_ = std::move(connection);
    return {};
  } catch (const std::exception& e) {
    return fail(error_code::dependency_unavailable,
                std::string("cannot connect to PostgreSQL: ") + e.what());
  }
}

error pg_connection::classify_current_exception() {
  try {
    throw;
  } catch (const pqxx::broken_connection& e) {
    connection_.reset();
    return {error_code::dependency_unavailable,
            std::string("PostgreSQL connection lost: ") + e.what()};
  } catch (const pqxx::in_doubt_error& e) {
    connection_.reset();
    return {error_code::dependency_unavailable,
            std::string("commit outcome unknown (retry with the same event ids): ") + e.what()};
  } catch (const pqxx::sql_error& e) {
    if (is_connection_state(e.sqlstate())) {
      connection_.reset();
      return {error_code::dependency_unavailable,
              std::string("PostgreSQL unavailable: ") + e.what()};
    }
    if (e.sqlstate().rfind("22", 0) == 0) {  // class 22: data exception (bad JSON, bad uuid)
      return {error_code::invalid_argument, e.what()};
    }
    return {error_code::internal, std::string("database error ") + e.sqlstate() + ": " + e.what()};
  } catch (const std::exception& e) {
    if (connection_ && !connection_->is_open()) {
      connection_.reset();
      return {error_code::dependency_unavailable, e.what()};
    }
    return {error_code::internal, e.what()};
  }
}

void array_literal::add(std::string_view element) {
  if (!empty_) text_.push_back(',');
  empty_ = false;
  text_.push_back('"');
  for (const char c : element) {
    if (c == '"' || c == '\\') text_.push_back('\\');
    text_.push_back(c);
  }
  text_.push_back('"');
}

void array_literal::add_null() {
  if (!empty_) text_.push_back(',');
  empty_ = false;
  text_ += "NULL";
}

void array_literal::add_bytes(std::string_view bytes) {
  static constexpr char hex[] = "0123456789abcdef";
  if (!empty_) text_.push_back(',');
  empty_ = false;
  // Inside an array literal the bytea hex prefix `\x` needs its backslash escaped.
  text_ += "\"\\\\x";
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    text_.push_back(hex[byte >> 4]);
    text_.push_back(hex[byte & 0x0f]);
  }
  text_.push_back('"');
}

std::string array_literal::finish() && {
  text_.push_back('}');
  return std::move(text_);
}

}  // namespace berth::events
