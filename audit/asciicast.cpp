#include "audit/asciicast.hpp"

#include <algorithm>
#include <cstdio>

#include <boost/json.hpp>

namespace berth::audit {
namespace {

namespace json = boost::json;
using std::chrono::duration_cast;
using std::chrono::microseconds;

/// The integer field `key` of an event's JSON data, or nothing.
std::optional<std::int64_t> integer_field(const json::object& data, std::string_view key) {
  const auto* value = data.if_contains(key);
  if (!value || !value->is_int64()) return std::nullopt;
  return value->as_int64();
}

json::object data_of(const events::recorded_event& event) {
  boost::system::error_code failed;
  auto parsed = json::parse(event.data, failed);
  if (failed || !parsed.is_object()) return {};
  return std::move(parsed.as_object());
}

/// `micros` as seconds with six decimals (`12.000300`).
std::string seconds_text(std::int64_t micros) {
  char text[32];
  std::snprintf(text, sizeof text, "%lld.%06lld", static_cast<long long>(micros / 1'000'000),
                static_cast<long long>(micros % 1'000'000));
  return text;
}

}  // namespace

std::string json_string(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned char>(c));
          out += escaped;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

asciicast_writer::asciicast_writer(asciicast_options options, text_sink sink)
    : options_(std::move(options)), sink_(std::move(sink)) {}

std::int64_t asciicast_writer::micros_since_start(std::chrono::system_clock::time_point at) const {
  // Clocks of different nodes may disagree a little: time never runs backwards in the file.
  return std::max(last_micros_, duration_cast<microseconds>(at - start_).count());
}

void asciicast_writer::write_header(int cols, int rows, std::optional<std::int64_t> timestamp) {
  header_written_ = true;
  json::object header;
  header["version"] = static_cast<int>(options_.version);
  if (options_.version == asciicast_version::v2) {
    header["width"] = cols;
    header["height"] = rows;
    if (timestamp) header["timestamp"] = *timestamp;
    header["env"] = json::object{{"TERM", "xterm-256color"}, {"SHELL", "/bin/bash"}};
  } else {
    header["term"] = json::object{{"cols", cols}, {"rows", rows}, {"type", "xterm-256color"}};
    if (timestamp) header["timestamp"] = *timestamp;
  }
  if (!options_.title.empty()) header["title"] = options_.title;
  buffer_ += json::serialize(header);
  buffer_.push_back('\n');
}

void asciicast_writer::write_event(std::chrono::system_clock::time_point at, std::string_view code,
                                   std::string_view text) {
  const auto micros = micros_since_start(at);
  // v2 counts from the start; v3 from the previous event (asciicast v3 "time").
  const auto shown = options_.version == asciicast_version::v2 ? micros : micros - last_micros_;
  last_micros_ = micros;
  buffer_.push_back('[');
  buffer_ += seconds_text(shown);
  buffer_ += ", \"";
  buffer_ += code;
  buffer_ += "\", ";
  buffer_ += json_string(text);
  buffer_ += "]\n";
}

void asciicast_writer::add_output(const events::recorded_event& event) {
  if (!event.body) return;
  const auto data = data_of(event);
  std::string_view bytes = *event.body;
  const auto offset = integer_field(data, "offset").value_or(output_end_);
  const auto end = offset + static_cast<std::int64_t>(bytes.size());
  if (end <= output_end_) return;  // rendered already
  if (offset < output_end_) {
    bytes.remove_prefix(static_cast<std::size_t>(output_end_ - offset));
  } else if (offset > output_end_ && output_end_ > 0) {
    // Bytes are missing (a keeper journal gap): a character cut by the gap is lost.
    output_decoder_.finish(text_);
  }
  output_end_ = end;
  output_decoder_.decode(bytes, text_);
  if (!text_.empty()) write_event(event.recorded_at, "o", text_);
}

bool asciicast_writer::add(const events::recorded_event& event) {
  if (refused_) return false;
  text_.clear();
  const auto& type = event.type;
  if (!header_written_) {
    start_ = event.recorded_at;
    const auto data = type == "SessionOpened" ? data_of(event) : json::object{};
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(start_.time_since_epoch()).count();
    write_header(static_cast<int>(integer_field(data, "cols").value_or(80)),
                 static_cast<int>(integer_field(data, "rows").value_or(24)), seconds);
  }
  if (type == "OutputRecorded") {
    add_output(event);
  } else if (type == "InputRecorded" && options_.include_input && event.body) {
    input_decoder_.decode(*event.body, text_);
    if (!text_.empty()) write_event(event.recorded_at, "i", text_);
  } else if (type == "SessionResized") {
    const auto data = data_of(event);
    const auto cols = integer_field(data, "cols"), rows = integer_field(data, "rows");
    if (cols && rows) {
      write_event(event.recorded_at, "r", std::to_string(*cols) + "x" + std::to_string(*rows));
    }
  } else if (type == "SessionClosed" && options_.version == asciicast_version::v3) {
    const auto data = data_of(event);
    const auto* reason = data.if_contains("reason");
    const auto status = integer_field(data, "exit_status");
    if (reason && reason->is_string() && reason->as_string() == "exited" && status) {
      // A shell killed by signal N reports 128 + N, as shells do for their children.
      const auto* signaled = data.if_contains("signaled");
      const bool by_signal = signaled && signaled->is_bool() && signaled->as_bool();
      write_event(event.recorded_at, "x", std::to_string(by_signal ? 128 + *status : *status));
    }
  }
  return flush_if_full();
}

bool asciicast_writer::flush_if_full() {
  if (buffer_.size() < piece_size) return true;
  refused_ = !sink_(buffer_);
  buffer_.clear();
  return !refused_;
}

bool asciicast_writer::finish() {
  if (refused_) return false;
  if (!header_written_) write_header(80, 24, std::nullopt);
  text_.clear();
  output_decoder_.finish(text_);
  if (!text_.empty()) {
    // Stamped like the last event: the character never completed.
    write_event(start_ + microseconds(last_micros_), "o", text_);
  }
  if (!buffer_.empty()) refused_ = !sink_(buffer_);
  buffer_.clear();
  return !refused_;
}

std::string render_asciicast(const std::vector<events::recorded_event>& stream,
                             const asciicast_options& options) {
  std::string file;
  asciicast_writer writer(options, [&file](std::string_view piece) {
    file.append(piece);
    return true;
  });
  for (const auto& event : stream)
    writer.add(event);
  writer.finish();
  return file;
}

}  // namespace berth::audit
