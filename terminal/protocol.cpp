#include "terminal/protocol.hpp"

#include <algorithm>
#include <cassert>
#include <initializer_list>
#include <limits>
#include <ostream>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace berth::terminal {
namespace {

tl::unexpected<protocol_error> refuse(protocol_error_code code, std::string message) {
  return tl::unexpected(protocol_error{code, std::move(message)});
}

std::string quoted(std::string_view key) {
  return "`" + std::string(key) + "`";
}

// A text frame as a JSON object. The size is checked first so a hostile frame never costs
// more than max_size bytes of parsing; Boost.JSON rejects invalid UTF-8 and nesting deeper
// than 32 levels by default.
protocol_result<boost::json::object> parse_object(std::string_view text, std::size_t max_size) {
  if (text.empty()) return refuse(protocol_error_code::empty_frame, "empty text frame");
  if (text.size() > max_size) {
    return refuse(protocol_error_code::frame_too_large,
                  "text frame above " + std::to_string(max_size) + " bytes");
  }
  boost::system::error_code ec;
  auto value = boost::json::parse(text, ec);
  if (ec) return refuse(protocol_error_code::malformed, "text frame is not valid JSON");
  if (!value.is_object()) {
    return refuse(protocol_error_code::malformed, "text frame must be a JSON object");
  }
  return std::move(value.as_object());
}

protocol_result<std::string_view> message_type(const boost::json::object& object) {
  const auto* type = object.if_contains("type");
  if (!type) return refuse(protocol_error_code::missing_field, "`type` is missing");
  if (!type->is_string()) return refuse(protocol_error_code::wrong_type, "`type` must be a string");
  return std::string_view(type->as_string());
}

protocol_result<void> only_fields(const boost::json::object& object,
                                  std::initializer_list<std::string_view> allowed) {
  for (const auto& entry : object) {
    if (std::find(allowed.begin(), allowed.end(), std::string_view(entry.key())) == allowed.end()) {
      return refuse(protocol_error_code::unknown_field, "unknown field " + quoted(entry.key()));
    }
  }
  return {};
}

// An integer field in [min, max]. Boost.JSON stores integers above INT64_MAX as uint64 and
// anything with a fraction or exponent as double: the first is out of range, the second the
// wrong type, even when it happens to be whole (`80.0`).
protocol_result<std::int64_t> integer_field(const boost::json::object& object, std::string_view key,
                                            std::int64_t min, std::int64_t max) {
  const auto* found = object.if_contains(key);
  if (!found) return refuse(protocol_error_code::missing_field, quoted(key) + " is missing");
  std::int64_t number = 0;
  if (found->is_int64()) {
    number = found->get_int64();
  } else if (found->is_uint64()) {
    return refuse(protocol_error_code::out_of_range, quoted(key) + " is too large");
  } else {
    return refuse(protocol_error_code::wrong_type, quoted(key) + " must be an integer");
  }
  if (number < min || number > max) {
    return refuse(
        protocol_error_code::out_of_range,
        quoted(key) + " must be in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return number;
}

protocol_result<bool> bool_field(const boost::json::object& object, std::string_view key) {
  const auto* found = object.if_contains(key);
  if (!found) return refuse(protocol_error_code::missing_field, quoted(key) + " is missing");
  if (!found->is_bool())
    return refuse(protocol_error_code::wrong_type, quoted(key) + " must be a boolean");
  return found->get_bool();
}

protocol_result<std::string> string_field(const boost::json::object& object, std::string_view key) {
  const auto* found = object.if_contains(key);
  if (!found) return refuse(protocol_error_code::missing_field, quoted(key) + " is missing");
  if (!found->is_string())
    return refuse(protocol_error_code::wrong_type, quoted(key) + " must be a string");
  return std::string(found->as_string());
}

constexpr std::int64_t max_offset = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t max_int = std::numeric_limits<int>::max();

protocol_result<client_message> parse_resize(const boost::json::object& object) {
  if (auto fields = only_fields(object, {"type", "cols", "rows"}); !fields) {
    return tl::unexpected(fields.error());
  }
  auto cols = integer_field(object, "cols", min_cols, max_cols);
  if (!cols) return tl::unexpected(cols.error());
  auto rows = integer_field(object, "rows", min_rows, max_rows);
  if (!rows) return tl::unexpected(rows.error());
  return resize_message{static_cast<int>(*cols), static_cast<int>(*rows)};
}

protocol_result<client_message> parse_ack(const boost::json::object& object) {
  if (auto fields = only_fields(object, {"type", "offset"}); !fields) {
    return tl::unexpected(fields.error());
  }
  auto offset = integer_field(object, "offset", 0, max_offset);
  if (!offset) return tl::unexpected(offset.error());
  return ack_message{*offset};
}

protocol_result<client_message> parse_ping(const boost::json::object& object) {
  if (auto fields = only_fields(object, {"type"}); !fields) return tl::unexpected(fields.error());
  return ping_message{};
}

protocol_result<server_message> parse_attached(const boost::json::object& object) {
  auto from = integer_field(object, "from", 0, max_offset);
  if (!from) return tl::unexpected(from.error());
  auto to = integer_field(object, "to", *from, max_offset);
  if (!to) return tl::unexpected(to.error());
  auto snapshot = bool_field(object, "snapshot");
  if (!snapshot) return tl::unexpected(snapshot.error());
  auto cols = integer_field(object, "cols", min_cols, max_cols);
  if (!cols) return tl::unexpected(cols.error());
  auto rows = integer_field(object, "rows", min_rows, max_rows);
  if (!rows) return tl::unexpected(rows.error());
  return attached_message{*from, *to, *snapshot, static_cast<int>(*cols), static_cast<int>(*rows)};
}

protocol_result<server_message> parse_exit(const boost::json::object& object) {
  auto status = integer_field(object, "status", 0, 255);
  if (!status) return tl::unexpected(status.error());
  auto signaled = bool_field(object, "signaled");
  if (!signaled) return tl::unexpected(signaled.error());
  return exit_message{static_cast<int>(*status), *signaled};
}

protocol_result<server_message> parse_error(const boost::json::object& object) {
  auto code = string_field(object, "code");
  if (!code) return tl::unexpected(code.error());
  auto message = string_field(object, "message");
  if (!message) return tl::unexpected(message.error());
  return error_message{std::move(*code), std::move(*message)};
}

protocol_result<server_message> parse_status(const boost::json::object& object) {
  auto state = string_field(object, "state");
  if (!state) return tl::unexpected(state.error());
  auto clients = integer_field(object, "clients", 0, max_int);
  if (!clients) return tl::unexpected(clients.error());
  auto cols = integer_field(object, "cols", min_cols, max_cols);
  if (!cols) return tl::unexpected(cols.error());
  auto rows = integer_field(object, "rows", min_rows, max_rows);
  if (!rows) return tl::unexpected(rows.error());
  return status_message{std::move(*state), static_cast<int>(*clients), static_cast<int>(*cols),
                        static_cast<int>(*rows)};
}

}  // namespace

std::string_view to_string(protocol_error_code code) {
  switch (code) {
    case protocol_error_code::malformed:
      return "malformed";
    case protocol_error_code::empty_frame:
      return "empty_frame";
    case protocol_error_code::frame_too_large:
      return "frame_too_large";
    case protocol_error_code::unknown_type:
      return "unknown_type";
    case protocol_error_code::unknown_field:
      return "unknown_field";
    case protocol_error_code::missing_field:
      return "missing_field";
    case protocol_error_code::wrong_type:
      return "wrong_type";
    case protocol_error_code::out_of_range:
      return "out_of_range";
    case protocol_error_code::invalid_ack:
      return "invalid_ack";
    case protocol_error_code::rate_limited:
      return "rate_limited";
    case protocol_error_code::offset_ahead:
      return "offset_ahead";
    case protocol_error_code::unknown_session:
      return "unknown_session";
    case protocol_error_code::too_many_clients:
      return "too_many_clients";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& out, protocol_error_code code) {
  return out << to_string(code);
}

bool ends_stream(protocol_error_code code) {
  switch (code) {
    case protocol_error_code::frame_too_large:
    case protocol_error_code::invalid_ack:
    case protocol_error_code::rate_limited:
    case protocol_error_code::offset_ahead:
    case protocol_error_code::unknown_session:
    case protocol_error_code::too_many_clients:
      return true;  // the stream cannot go on correctly
    default:
      return false;
  }
}

std::string encode_output(std::int64_t offset, std::string_view bytes) {
  assert(offset >= 0 && "output offsets count bytes from the session's start");
  std::string frame(output_header_size + bytes.size(), '\0');
  auto value = static_cast<std::uint64_t>(offset);
  for (std::size_t i = 0; i < output_header_size; ++i) {
    frame[output_header_size - 1 - i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  frame.replace(output_header_size, bytes.size(), bytes);
  return frame;
}

protocol_result<output_frame> decode_output(std::string_view frame) {
  if (frame.size() < output_header_size) {
    return refuse(protocol_error_code::malformed, "output frame shorter than its 8-byte offset");
  }
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < output_header_size; ++i) {
    value = (value << 8) | static_cast<unsigned char>(frame[i]);
  }
  if (value > static_cast<std::uint64_t>(max_offset)) {
    return refuse(protocol_error_code::out_of_range, "output offset above 2^63 - 1");
  }
  return output_frame{static_cast<std::int64_t>(value), frame.substr(output_header_size)};
}

protocol_result<client_message> parse_client_text(std::string_view text) {
  auto object = parse_object(text, max_client_text_size);
  if (!object) return tl::unexpected(object.error());
  auto type = message_type(*object);
  if (!type) return tl::unexpected(type.error());
  if (*type == "resize") return parse_resize(*object);
  if (*type == "ack") return parse_ack(*object);
  if (*type == "ping") return parse_ping(*object);
  return refuse(protocol_error_code::unknown_type, "unknown message type " + quoted(*type));
}

protocol_result<void> check_client_input(std::string_view bytes) {
  if (bytes.empty()) return refuse(protocol_error_code::empty_frame, "empty input frame");
  if (bytes.size() > max_client_input_size) {
    return refuse(protocol_error_code::frame_too_large,
                  "input frame above " + std::to_string(max_client_input_size) + " bytes");
  }
  return {};
}

std::string encode_client_message(const client_message& message) {
  struct visitor {
    boost::json::object operator()(const resize_message& m) const {
      return {{"type", "resize"}, {"cols", m.cols}, {"rows", m.rows}};
    }
    boost::json::object operator()(const ack_message& m) const {
      return {{"type", "ack"}, {"offset", m.offset}};
    }
    boost::json::object operator()(const ping_message&) const { return {{"type", "ping"}}; }
  };
  return boost::json::serialize(std::visit(visitor{}, message));
}

std::string encode_server_message(const server_message& message) {
  struct visitor {
    boost::json::object operator()(const attached_message& m) const {
      return {{"type", "attached"},     {"from", m.from}, {"to", m.to},
              {"snapshot", m.snapshot}, {"cols", m.cols}, {"rows", m.rows}};
    }
    boost::json::object operator()(const snapshot_message& m) const {
      return {{"type", "snapshot"}, {"data", m.data}};
    }
    boost::json::object operator()(const exit_message& m) const {
      return {{"type", "exit"}, {"status", m.status}, {"signaled", m.signaled}};
    }
    boost::json::object operator()(const error_message& m) const {
      return {{"type", "error"}, {"code", m.code}, {"message", m.message}};
    }
    boost::json::object operator()(const pong_message&) const { return {{"type", "pong"}}; }
    boost::json::object operator()(const status_message& m) const {
      return {{"type", "status"},
              {"state", m.state},
              {"clients", m.clients},
              {"cols", m.cols},
              {"rows", m.rows}};
    }
  };
  return boost::json::serialize(std::visit(visitor{}, message));
}

std::string encode_error(const protocol_error& error) {
  return encode_server_message(error_message{std::string(to_string(error.code)), error.message});
}

protocol_result<server_message> parse_server_text(std::string_view text) {
  // A snapshot of a 1000x500 screen with colours runs to megabytes; only the client's own
  // memory bounds what it accepts from its server.
  auto object = parse_object(text, std::numeric_limits<std::size_t>::max());
  if (!object) return tl::unexpected(object.error());
  auto type = message_type(*object);
  if (!type) return tl::unexpected(type.error());
  if (*type == "attached") return parse_attached(*object);
  if (*type == "snapshot") {
    auto data = string_field(*object, "data");
    if (!data) return tl::unexpected(data.error());
    return snapshot_message{std::move(*data)};
  }
  if (*type == "exit") return parse_exit(*object);
  if (*type == "error") return parse_error(*object);
  if (*type == "pong") return pong_message{};
  if (*type == "status") return parse_status(*object);
  return refuse(protocol_error_code::unknown_type, "unknown message type " + quoted(*type));
}

protocol_result<std::int64_t> parse_resume_offset(std::string_view text) {
  if (text.empty()) return refuse(protocol_error_code::malformed, "`from` is empty");
  std::int64_t value = 0;
  for (const char digit : text) {
    if (digit < '0' || digit > '9') {
      return refuse(protocol_error_code::malformed, "`from` must be decimal digits");
    }
    if (value > (max_offset - (digit - '0')) / 10) {
      return refuse(protocol_error_code::out_of_range, "`from` is above 2^63 - 1");
    }
    value = value * 10 + (digit - '0');
  }
  return value;
}

protocol_result<resume_plan> plan_resume(std::optional<std::int64_t> requested,
                                         std::int64_t oldest_held, std::int64_t end) {
  assert(0 <= oldest_held && oldest_held <= end && "the held window lies within the output");
  if (!requested) {
    // A client with no screen needs one; a session that printed nothing has an empty one.
    if (end == 0) return exact_replay{0};
    return snapshot_then_live{end};
  }
  if (*requested < 0) return refuse(protocol_error_code::out_of_range, "`from` is negative");
  if (*requested > end) {
    return refuse(protocol_error_code::offset_ahead, "`from` " + std::to_string(*requested) +
                                                         " is beyond the end of output " +
                                                         std::to_string(end));
  }
  if (*requested >= oldest_held) return exact_replay{*requested};
  return snapshot_then_live{end};
}

}  // namespace berth::terminal
