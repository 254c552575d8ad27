#pragma once

// A session's recording as an asciicast file (https://docs.asciinema.org/manual/asciicast/v2/
// and .../v3/): newline-delimited JSON, a header line, then `[time, code, data]` events. The
// writer renders a session stream's events one by one into a sink, so a long session never
// has to sit in memory whole. Pure: no I/O of its own, no HTTP.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/utf8_decoder.hpp"
#include "events/event.hpp"

namespace berth::audit {

/// Which asciicast version to write.
enum class asciicast_version { v2 = 2, v3 = 3 };

/// What the file holds beyond the output.
struct asciicast_options {
  asciicast_version version = asciicast_version::v2;
  bool include_input = false;  ///< `i` events from InputRecorded
  std::string title;           ///< the header's `title`; left out when empty
};

/// Receives the file piece by piece; returns false when nobody reads any more.
using text_sink = std::function<bool(std::string_view)>;

/// Renders the events of one `session-<id>` stream, in stream order, as asciicast: the header
/// from SessionOpened, `o` per OutputRecorded, `r` per SessionResized, `i` per InputRecorded
/// when asked, and in v3 `x` with the exit status when the shell exited. Other events add
/// nothing. Times come from the events' `recorded_at` (microseconds).
class asciicast_writer {
 public:
  /// Pieces handed to the sink are about this large (the last one smaller).
  static constexpr std::size_t piece_size = 64 * 1024;

  asciicast_writer(asciicast_options options, text_sink sink);

  /// Renders one event; false once the sink refused (later calls do nothing).
  bool add(const events::recorded_event& event);
  /// Ends the file: the header if no event came, an unfinished character as U+FFFD, and what
  /// is still buffered; false when the sink refused.
  bool finish();

 private:
  void write_header(int cols, int rows, std::optional<std::int64_t> timestamp);
  void write_event(std::chrono::system_clock::time_point at, std::string_view code,
                   std::string_view text);
  void add_output(const events::recorded_event& event);
  bool flush_if_full();
  std::int64_t micros_since_start(std::chrono::system_clock::time_point at) const;

  asciicast_options options_;
  text_sink sink_;
  std::string buffer_;
  bool header_written_ = false;
  bool refused_ = false;
  std::chrono::system_clock::time_point start_;
  std::int64_t last_micros_ = 0;  ///< time of the last event written, from the start
  std::int64_t output_end_ = 0;   ///< offset after the last output byte rendered
  utf8_decoder output_decoder_;
  utf8_decoder input_decoder_;
  std::string text_;  ///< scratch for decoded text
};

/// The whole file of `stream` at once (tests and small sessions).
std::string render_asciicast(const std::vector<events::recorded_event>& stream,
                             const asciicast_options& options);

/// `text` (valid UTF-8) as a JSON string literal, quotes included: `"`, `\` and control
/// characters escaped (`\n`, `\u001b`, ...), everything else as it is.
std::string json_string(std::string_view text);

}  // namespace berth::audit
