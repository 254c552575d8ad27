#include "docker/keeper/options.hpp"

#include <charconv>
#include <optional>
#include <string_view>

namespace berth::keeper {
namespace {

/// A decimal count, with an optional K or M suffix (binary units) when units are allowed.
std::optional<std::size_t> parse_count(std::string_view text, bool allow_units) {
  std::size_t multiplier = 1;
  if (allow_units && !text.empty() && (text.back() == 'K' || text.back() == 'k')) {
    multiplier = 1024;
  }
  if (allow_units && !text.empty() && (text.back() == 'M' || text.back() == 'm')) {
    multiplier = 1024 * 1024;
  }
  if (multiplier != 1) text.remove_suffix(1);
  std::size_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  if (value > SIZE_MAX / multiplier) return std::nullopt;
  return value * multiplier;
}

/// Smallest journal that still holds one full output frame's worth of data.
constexpr std::size_t min_journal_bytes = 4096;
/// Largest journal: keeps a typo from reserving the container's memory.
constexpr std::size_t max_journal_bytes = std::size_t{1} << 30;

}  // namespace

command parse_command_line(int argc, const char* const* argv) {
  if (argc < 2) return usage_error{"missing command"};
  const std::string_view name = argv[1];
  if (name == "help" || name == "--help" || name == "-h") return show_help{};
  if (name != "serve" && name != "attach") {
    return usage_error{"unknown command '" + std::string(name) + "'"};
  }
  serve_options serve;
  attach_options attach;
  for (int i = 2; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") return show_help{};
    if (i + 1 >= argc) return usage_error{"flag " + std::string(flag) + " needs a value"};
    const std::string_view value = argv[++i];
    if (flag == "--socket") {
      if (value.empty()) return usage_error{"--socket needs a path"};
      serve.socket_path = attach.socket_path = std::string(value);
    } else if (flag == "--journal-bytes" && name == "serve") {
      const auto size = parse_count(value, true);
      if (!size || *size < min_journal_bytes || *size > max_journal_bytes) {
        return usage_error{"--journal-bytes must be between 4K and 1024M"};
      }
      serve.journal_bytes = *size;
    } else if (flag == "--kill-after-ms" && name == "serve") {
      const auto ms = parse_count(value, false);
      if (!ms || *ms > 3'600'000) return usage_error{"--kill-after-ms must be 0 to 3600000"};
      serve.kill_after = std::chrono::milliseconds(*ms);
    } else {
      return usage_error{"unknown flag " + std::string(flag) + " for " + std::string(name)};
    }
  }
  if (name == "serve") return serve;
  return attach;
}

std::string usage_text() {
  return "usage:\n"
         "  keeper serve [--socket PATH] [--journal-bytes N[K|M]] [--kill-after-ms N]\n"
         "      Own terminal sessions and serve the keeper protocol on a unix socket.\n"
         "      --socket         socket path (default /tmp/.berth-keeper/keeper.sock;\n"
         "                       its directory is created with mode 0700)\n"
         "      --journal-bytes  output journal per session (default 8M)\n"
         "      --kill-after-ms  SIGHUP-to-SIGKILL delay when closing a session (default 2000)\n"
         "  keeper attach [--socket PATH]\n"
         "      Copy stdin to the keeper socket and the socket to stdout, byte for byte,\n"
         "      until stdin ends or the keeper closes the connection.\n"
         "  keeper help\n";
}

}  // namespace berth::keeper
