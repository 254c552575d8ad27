#include "docker/keeper/messages.hpp"

#include <optional>

#include "docker/keeper/wire.hpp"

namespace berth::keeper {
namespace {

// Each write() appends a message's payload and names its frame type.

frame_type write(wire_writer& w, const hello& m) {
  w.fixed(hello_magic);
  w.u16(m.version);
  w.u32(m.max_payload);
  return frame_type::hello;
}

void write_list(wire_writer& w, const std::vector<std::string>& items) {
  w.u32(static_cast<std::uint32_t>(items.size()));
  for (const auto& item : items)
    w.bytes(item);
}

frame_type write(wire_writer& w, const open_request& m) {
  w.bytes(m.session);
  w.u16(m.cols);
  w.u16(m.rows);
  w.bytes(m.cwd);
  write_list(w, m.env);
  write_list(w, m.argv);
  return frame_type::open;
}

frame_type write(wire_writer& w, const attach_request& m) {
  w.bytes(m.session);
  w.u64(m.from);
  return frame_type::attach;
}

frame_type write(wire_writer& w, const input_request& m) {
  w.bytes(m.session);
  w.bytes(m.data);
  return frame_type::input;
}

frame_type write(wire_writer& w, const resize_request& m) {
  w.bytes(m.session);
  w.u16(m.cols);
  w.u16(m.rows);
  return frame_type::resize;
}

frame_type write(wire_writer& w, const ack_request& m) {
  w.bytes(m.session);
  w.u64(m.offset);
  return frame_type::ack;
}

frame_type write(wire_writer&, const list_request&) {
  return frame_type::list;
}

frame_type write(wire_writer& w, const close_request& m) {
  w.bytes(m.session);
  return frame_type::close;
}

frame_type write(wire_writer& w, const detach_request& m) {
  w.bytes(m.session);
  return frame_type::detach;
}

frame_type write(wire_writer& w, const opened_reply& m) {
  w.bytes(m.session);
  w.u32(m.pid);
  return frame_type::opened;
}

frame_type write(wire_writer& w, const attached_reply& m) {
  w.bytes(m.session);
  w.u64(m.offset);
  return frame_type::attached;
}

frame_type write(wire_writer& w, const gap_reply& m) {
  w.bytes(m.session);
  w.u64(m.requested);
  w.u64(m.oldest);
  return frame_type::gap;
}

frame_type write(wire_writer& w, const output_event& m) {
  w.bytes(m.session);
  w.u64(m.offset);
  w.bytes(m.data);
  return frame_type::output;
}

void write_status(wire_writer& w, const exit_status& status) {
  w.u8(status.signaled ? 1 : 0);
  w.u8(status.value);
}

frame_type write(wire_writer& w, const exited_event& m) {
  w.bytes(m.session);
  write_status(w, m.status);
  w.u64(m.end);
  return frame_type::exited;
}

frame_type write(wire_writer& w, const session_list_reply& m) {
  w.u32(static_cast<std::uint32_t>(m.sessions.size()));
  for (const auto& s : m.sessions) {
    w.bytes(s.session);
    w.u16(s.cols);
    w.u16(s.rows);
    w.u64(s.oldest);
    w.u64(s.end);
    w.u64(s.acked);
    w.u8(static_cast<std::uint8_t>(s.state));
    write_status(w, s.status);
  }
  return frame_type::session_list;
}

frame_type write(wire_writer& w, const closed_reply& m) {
  w.bytes(m.session);
  return frame_type::closed;
}

frame_type write(wire_writer& w, const detached_reply& m) {
  w.bytes(m.session);
  return frame_type::detached;
}

frame_type write(wire_writer& w, const error_reply& m) {
  w.u16(static_cast<std::uint16_t>(m.code));
  w.bytes(m.session);
  w.bytes(m.message);
  return frame_type::error;
}

// Parsing: each read_x() fills a message from the reader; parse_message() checks the reader.

/// Smallest encoding of a byte string (its u32 length), used to bound list counts.
constexpr std::size_t min_bytes_size = 4;
/// Smallest encoding of a session_info row.
constexpr std::size_t min_session_info_size = min_bytes_size + 2 + 2 + 8 + 8 + 8 + 1 + 2;

std::vector<std::string> read_list(wire_reader& r) {
  std::vector<std::string> items(r.count(min_bytes_size));
  for (auto& item : items)
    item = r.bytes();
  return items;
}

exit_status read_status(wire_reader& r) {
  exit_status status;
  const std::uint8_t signaled = r.u8();
  status.signaled = signaled != 0;
  status.value = r.u8();
  return status;
}

std::optional<message> read_hello(wire_reader& r) {
  if (r.fixed(hello_magic.size()) != hello_magic) return std::nullopt;
  hello m;
  m.version = r.u16();
  m.max_payload = r.u32();
  return m;
}

std::optional<message> read_body(frame_type type, wire_reader& r) {
  switch (type) {
    case frame_type::hello:
      return read_hello(r);
    case frame_type::open: {
      open_request m;
      m.session = r.bytes();
      m.cols = r.u16();
      m.rows = r.u16();
      m.cwd = r.bytes();
      m.env = read_list(r);
      m.argv = read_list(r);
      return m;
    }
    case frame_type::attach: {
      attach_request m;
      m.session = r.bytes();
      m.from = r.u64();
      return m;
    }
    case frame_type::input: {
      input_request m;
      m.session = r.bytes();
      m.data = r.bytes();
      return m;
    }
    case frame_type::resize: {
      resize_request m;
      m.session = r.bytes();
      m.cols = r.u16();
      m.rows = r.u16();
      return m;
    }
    case frame_type::ack: {
      ack_request m;
      m.session = r.bytes();
      m.offset = r.u64();
      return m;
    }
    case frame_type::list:
      return list_request{};
    case frame_type::close:
      return close_request{std::string(r.bytes())};
    case frame_type::detach:
      return detach_request{std::string(r.bytes())};
    case frame_type::opened: {
      opened_reply m;
      m.session = r.bytes();
      m.pid = r.u32();
      return m;
    }
    case frame_type::attached: {
      attached_reply m;
      m.session = r.bytes();
      m.offset = r.u64();
      return m;
    }
    case frame_type::gap: {
      gap_reply m;
      m.session = r.bytes();
      m.requested = r.u64();
      m.oldest = r.u64();
      return m;
    }
    case frame_type::output: {
      output_event m;
      m.session = r.bytes();
      m.offset = r.u64();
      m.data = r.bytes();
      return m;
    }
    case frame_type::exited: {
      exited_event m;
      m.session = r.bytes();
      m.status = read_status(r);
      m.end = r.u64();
      return m;
    }
    case frame_type::session_list: {
      session_list_reply m;
      m.sessions.resize(r.count(min_session_info_size));
      for (auto& s : m.sessions) {
        s.session = r.bytes();
        s.cols = r.u16();
        s.rows = r.u16();
        s.oldest = r.u64();
        s.end = r.u64();
        s.acked = r.u64();
        const std::uint8_t state = r.u8();
        if (state > static_cast<std::uint8_t>(session_state::closing)) return std::nullopt;
        s.state = static_cast<session_state>(state);
        s.status = read_status(r);
      }
      return m;
    }
    case frame_type::closed:
      return closed_reply{std::string(r.bytes())};
    case frame_type::detached:
      return detached_reply{std::string(r.bytes())};
    case frame_type::error: {
      error_reply m;
      m.code = static_cast<error_code>(r.u16());
      m.session = r.bytes();
      m.message = r.bytes();
      return m;
    }
  }
  return std::nullopt;
}

}  // namespace

parse_result parse_message(const frame& input) {
  if (!is_known_frame_type(input.type)) {
    return decode_error{error_code::unknown_frame_type,
                        "unknown frame type " + std::to_string(input.type)};
  }
  const auto type = static_cast<frame_type>(input.type);
  wire_reader reader(input.payload);
  std::optional<message> result = read_body(type, reader);
  // Hello may grow fields in later versions; every other payload must be consumed exactly.
  const bool complete = type == frame_type::hello ? reader.ok() : reader.finished();
  if (!result || !complete) {
    return decode_error{error_code::malformed_frame,
                        "malformed payload for frame type " + std::to_string(input.type)};
  }
  return std::move(*result);
}

void append_message(std::string& out, const message& value) {
  std::string payload;
  wire_writer writer(payload);
  const frame_type type = std::visit([&writer](const auto& m) { return write(writer, m); }, value);
  append_frame(out, type, payload);
}

std::string encode_message(const message& value) {
  std::string out;
  append_message(out, value);
  return out;
}

void append_output(std::string& out, std::string_view session, std::uint64_t offset,
                   std::string_view data) {
  std::string header;
  wire_writer writer(header);
  writer.bytes(session);
  writer.u64(offset);
  writer.u32(static_cast<std::uint32_t>(data.size()));
  const auto length = static_cast<std::uint32_t>(header.size() + data.size());
  wire_writer frame_writer(out);
  frame_writer.u32(length);
  frame_writer.u8(static_cast<std::uint8_t>(frame_type::output));
  out.append(header);
  out.append(data);
}

std::size_t output_overhead(std::string_view session) {
  return 4 + session.size() + 8 + 4;
}

}  // namespace berth::keeper
