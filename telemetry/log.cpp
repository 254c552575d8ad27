#include "telemetry/log.hpp"

#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "telemetry/span.hpp"

namespace berth::telemetry {
namespace {

std::atomic<level> minimum_level{level::info};
std::mutex output_mutex;

constexpr std::string_view level_names[] = {"trace", "debug", "info", "warn", "error", "fatal"};

void append_timestamp(std::string& out) {
  const auto now = std::chrono::system_clock::now();
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  const auto length =
      std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", utc.tm_year + 1900,
                    utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                    static_cast<long long>(micros % 1'000'000));
  out.append(text, static_cast<std::size_t>(length));
}

/// Length of the valid UTF-8 sequence at `text[i]`, or 0 when it is invalid.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  std::size_t length = 0;
  if (lead >= 0xc2 && lead <= 0xdf)
    length = 2;
  else if (lead >= 0xe0 && lead <= 0xef)
    length = 3;
  else if (lead >= 0xf0 && lead <= 0xf4)
    length = 4;
  else
    return 0;
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return 0;
  }
  return length;
}

}  // namespace

void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  const auto plain = [](unsigned char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; };
  for (std::size_t i = 0; i < text.size(); ++i) {
    // Runs of printable ASCII (nearly all text) are copied in one append.
    if (plain(static_cast<unsigned char>(text[i]))) {
      auto end = i + 1;
      while (end < text.size() && plain(static_cast<unsigned char>(text[end])))
        ++end;
      out.append(text.data() + i, end - i);
      i = end - 1;
      continue;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == 0x7f) {
      out += "\\u00";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0x0f]);
    } else if (const auto length = utf8_sequence_length(text, i); length > 0) {
      out.append(text.substr(i, length));
      i += length - 1;
    } else {
      out += "\\ufffd";
    }
  }
}

bool parse_level(std::string_view text, level& out) {
  for (std::size_t i = 0; i < std::size(level_names); ++i) {
    if (level_names[i] == text) {
      out = static_cast<level>(i);
      return true;
    }
  }
  return false;
}

void set_min_level(level minimum) {
  minimum_level = minimum;
}

void log(level severity, std::string_view logger, std::string_view message,
         std::initializer_list<field> fields) {
  if (severity < minimum_level.load()) return;
  std::string line;
  line.reserve(160);
  line += "{\"ts\":\"";
  append_timestamp(line);
  line += "\",\"level\":\"";
  line += level_names[static_cast<int>(severity)];
  line += "\",\"msg\":\"";
  append_json_escaped(line, message);
  line += "\",\"logger\":\"";
  append_json_escaped(line, logger);
  line += '"';
  if (const auto context = current_context(); context.valid()) {
    line += ",\"trace_id\":\"" + context.trace_id_hex() + "\",\"span_id\":\"" +
            context.span_id_hex() + "\",\"trace_flags\":\"" + to_hex(&context.flags, 1) + '"';
  }
  for (const auto& [key, value] : fields) {
    line += ",\"";
    append_json_escaped(line, key);
    line += "\":";
    if (const auto* text = std::get_if<std::string_view>(&value)) {
      line += '"';
      append_json_escaped(line, *text);
      line += '"';
    } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
      line += std::to_string(*integer);
    } else if (const auto* number = std::get_if<double>(&value)) {
      // The shortest text that reads back as the same number (23.9, not 23.899999999999999);
      // JSON has no NaN or infinity.
      if (!std::isfinite(*number)) {
        line += "null";
        continue;
      }
      char text_number[32];
      const auto written = std::to_chars(text_number, text_number + sizeof text_number, *number);
      line.append(text_number, written.ptr);
    } else {
      line += std::get<bool>(value) ? "true" : "false";
    }
  }
  line += "}\n";
  std::lock_guard lock(output_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace berth::telemetry
