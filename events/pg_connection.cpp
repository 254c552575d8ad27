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

pg_connection::pg_connection(std::string url, std::string setup)
    : url_(with_defaults(url)), setup_(std::move(setup)) {}

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
    if (!setup_.empty()) setup.exec0(setup_);
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

std::string array_literal::finish() && {
  text_.push_back('}');
  return std::move(text_);
}

namespace {

/// Network byte order, as every integer of the binary format.
void put_int32(std::string& out, std::uint32_t value) {
  const char bytes[] = {static_cast<char>(value >> 24), static_cast<char>(value >> 16),
                        static_cast<char>(value >> 8), static_cast<char>(value)};
  out.append(bytes, sizeof bytes);
}

/// pg_type.oid of bytea, the element type array_recv checks the data against.
constexpr std::uint32_t bytea_oid = 17;

}  // namespace

bytea_array::bytea_array() : elements_(header_room, '\0') {}

void bytea_array::add(std::string_view bytes) {
  put_int32(elements_, static_cast<std::uint32_t>(bytes.size()));
  elements_.append(bytes);
  ++count_;
}

void bytea_array::add_null() {
  put_int32(elements_, 0xffffffffu);  // length -1
  has_null_ = true;
  ++count_;
}

pqxx::binarystring bytea_array::finish() && {
  // ndim, has-null flag, element type; then size and lower bound of the one dimension.
  // An empty array has no dimension.
  std::string header;
  put_int32(header, count_ == 0 ? 0 : 1);
  put_int32(header, has_null_ ? 1 : 0);
  put_int32(header, bytea_oid);
  if (count_ > 0) {
    put_int32(header, static_cast<std::uint32_t>(count_));
    put_int32(header, 1);
  }
  // The elements were written after room for the longest header; the array starts where its
  // header fits in front of them.
  const auto start = header_room - header.size();
  elements_.replace(start, header.size(), header);
  return pqxx::binarystring(elements_.data() + start, elements_.size() - start);
}

}  // namespace berth::events
