// `berth bench screen`: the server-side screen model's throughput against libvterm's own
// screen layer (VTermScreen, set up as the model used it before it kept its own cells), on
// the output of `seq 1 3000000` and on 50 MB of 100-column lines, fed in 16 KiB chunks to a
// 24×80 screen with 1000 lines of scrollback. No server, database or Docker.

#include <time.h>
#include <vterm.h>

#include <deque>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "actors/screen_model.hpp"
#include "bench/commands.hpp"
#include "bench/stats.hpp"

namespace berth::bench {
namespace {

// Seconds of CPU time this thread has used: both screens are single-threaded and CPU-bound,
// and on a shared machine wall time also counts the time other processes had the core.
double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

// The shape of the measurement: a keeper's read size, a default terminal, the server's
// scrollback, and the output sizes the figures were taken with.
constexpr std::size_t chunk_bytes = 16 * 1024;
constexpr int screen_rows = 24;
constexpr int screen_cols = 80;
constexpr std::size_t scrollback_lines = 1000;
constexpr int seq_count = 3'000'000;
constexpr std::size_t long_line_columns = 100;
constexpr std::size_t long_lines_bytes = 50'000'000;

/// libvterm's VTermScreen as actors/screen_model.cpp drove it before it kept its own cells:
/// UTF-8, alternate screen, answers discarded, scrolled-off lines kept as libvterm's cells
/// without their blank tail and bounded.
class libvterm_screen {
 public:
  libvterm_screen() {
    vt_ = vterm_new(screen_rows, screen_cols);
    vterm_set_utf8(vt_, 1);
    vterm_output_set_callback(
        vt_, [](const char*, std::size_t, void*) {}, nullptr);
    VTermScreen* screen = vterm_obtain_screen(vt_);
    static constexpr VTermScreenCallbacks callbacks = {
        .damage = nullptr,
        .moverect = nullptr,
        .movecursor = nullptr,
        .settermprop = [](VTermProp, VTermValue*, void*) { return 1; },
        .bell = nullptr,
        .resize = nullptr,
        .sb_pushline = &libvterm_screen::on_pushline,
        .sb_popline = nullptr,
    };
    vterm_screen_set_callbacks(screen, &callbacks, this);
    vterm_screen_enable_altscreen(screen, 1);
    vterm_screen_reset(screen, 1);
  }
  ~libvterm_screen() { vterm_free(vt_); }
  libvterm_screen(const libvterm_screen&) = delete;
  libvterm_screen& operator=(const libvterm_screen&) = delete;

  void feed(std::string_view bytes) { vterm_input_write(vt_, bytes.data(), bytes.size()); }

 private:
  static bool is_blank(const VTermScreenCell& cell) {
    const auto& a = cell.attrs;
    return (cell.chars[0] == 0 || (cell.chars[0] == ' ' && cell.chars[1] == 0)) &&
           VTERM_COLOR_IS_DEFAULT_FG(&cell.fg) && VTERM_COLOR_IS_DEFAULT_BG(&cell.bg) &&
           a.bold == 0 && a.italic == 0 && a.underline == 0 && a.blink == 0 && a.reverse == 0 &&
           a.strike == 0 && cell.width <= 1;
  }

  static int on_pushline(int cols, const VTermScreenCell* cells, void* user) {
    auto* self = static_cast<libvterm_screen*>(user);
    int used = cols;
    while (used > 0 && is_blank(cells[used - 1]))
      --used;
    self->scrollback_.emplace_back(cells, cells + used);
    if (self->scrollback_.size() > scrollback_lines) self->scrollback_.pop_front();
    return 1;
  }

  VTerm* vt_ = nullptr;
  std::deque<std::vector<VTermScreenCell>> scrollback_;
};

std::string seq_output() {
  std::string out;
  for (int i = 1; i <= seq_count; ++i) {
    if (i > 1) out += "\r\n";
    out += std::to_string(i);
  }
  return out;
}

std::string long_lines_output() {
  const auto line = std::string(long_line_columns, 'a') + "\r\n";
  std::string out;
  out.reserve(long_lines_bytes + line.size());
  while (out.size() < long_lines_bytes)
    out += line;
  return out;
}

/// MB (10^6 bytes) per second of CPU time of feeding input in chunks to a fresh screen made
/// by make.
template <class Make>
double measure(const std::string& input, Make make) {
  auto screen = make();
  const auto start = thread_cpu_seconds();
  for (std::size_t at = 0; at < input.size(); at += chunk_bytes)
    screen->feed(std::string_view(input).substr(at, chunk_bytes));
  return static_cast<double>(input.size()) / 1e6 / (thread_cpu_seconds() - start);
}

/// Runs of baseline and model alternate, so a machine that slows down weighs on both.
boost::json::object measure_input(const std::string& name, const std::string& input, int runs) {
  std::vector<double> baseline;
  std::vector<double> model;
  for (int run = 0; run < runs; ++run) {
    std::cerr << "bench: " << name << ", run " << run + 1 << " of " << runs << "...\n";
    baseline.push_back(measure(input, [] { return std::make_unique<libvterm_screen>(); }));
    model.push_back(measure(input, [] {
      return std::make_unique<actors::screen_model>(screen_rows, screen_cols, scrollback_lines);
    }));
  }
  const auto baseline_median = percentile(baseline, 0.5);
  const auto model_median = percentile(model, 0.5);
  return {{"bytes", input.size()},
          {"libvterm_screen_mb_per_s", baseline_median},
          {"screen_model_mb_per_s", model_median},
          {"ratio", baseline_median > 0 ? model_median / baseline_median : 0}};
}

std::optional<int> parse_runs(const std::vector<std::string>& args) {
  int runs = 3;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--runs" && i + 1 < args.size()) {
      try {
        runs = std::stoi(args[++i]);
      } catch (const std::exception&) {
        std::cerr << "berth bench screen: --runs needs a number\n";
        return std::nullopt;
      }
    } else {
      std::cerr << "berth bench screen: unknown argument " << args[i] << " (flags: --runs N)\n";
      return std::nullopt;
    }
  }
  if (runs < 1) {
    std::cerr << "berth bench screen: --runs must be positive\n";
    return std::nullopt;
  }
  return runs;
}

}  // namespace

int run_bench_screen(const settings&, const std::vector<std::string>& args) {
  const auto runs = parse_runs(args);
  if (!runs) return exit_usage;
  boost::json::object output{{"rows", screen_rows},
                             {"cols", screen_cols},
                             {"scrollback", scrollback_lines},
                             {"chunk_bytes", chunk_bytes},
                             {"runs", *runs}};
  output["seq"] = measure_input("seq 1 3000000", seq_output(), *runs);
  output["long_lines"] = measure_input("100-column lines", long_lines_output(), *runs);
  std::cout << boost::json::serialize(output) << std::endl;
  return exit_ok;
}

}  // namespace berth::bench
