#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "actors/screen_model.hpp"
#include "tests/actors/reference_screen.hpp"
#include "tests/actors/screen_comparison.hpp"
#include "tests/actors/screen_scripts.hpp"

// screen_model against its previous implementation on libvterm's own VTermScreen
// (reference_screen): after every feed and resize the snapshots, the bytes interpreted and
// the screen text must be equal.

namespace berth::actors {
namespace {

// Seeds of the random scripts: a few thousand, a few seconds.
constexpr unsigned random_scripts = 3000;

std::string escaped(std::string_view bytes) {
  // Enough of the input to reproduce a failure by hand; the seed reproduces all of it.
  constexpr std::size_t shown_bytes = 600;
  std::string out;
  for (const char byte : bytes.substr(0, shown_bytes)) {
    const auto code = static_cast<unsigned char>(byte);
    if (code >= 0x20 && code < 0x7f && byte != '\\') {
      out += byte;
    } else {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[code >> 4];
      out += hex[code & 15];
    }
  }
  if (bytes.size() > shown_bytes) out += "...";
  return out;
}

struct outcome {
  std::string difference;  // empty when every step matched
  screen_snapshot last;    // the model's snapshot after the last step compared
};

constexpr auto safe = reference_hazards::reach::safe;

// Past a hazard of the reference the model goes on alone: it must not crash, and its cursor
// stays on the screen (libvterm's state indexes its per-row array with it).
void go_on_alone(screen_model& model, const screen_script& script, std::size_t from) {
  for (auto i = from; i < script.steps.size(); ++i) {
    const auto& step = script.steps[i];
    if (step.is_resize()) {
      model.resize(step.rows, step.cols);
    } else {
      model.feed(step.bytes);
    }
    const auto snapshot = model.take_snapshot();
    ASSERT_GE(snapshot.cursor_row, 0) << "step " << i;
    ASSERT_LT(snapshot.cursor_row, snapshot.rows) << "step " << i;
  }
}

outcome run(const screen_script& script) {
  screen_model model(script.rows, script.cols, script.scrollback);
  reference_screen reference(script.rows, script.cols, script.scrollback);
  reference_hazards hazards(script.rows, script.cols);
  outcome result;
  for (std::size_t i = 0; i < script.steps.size(); ++i) {
    const auto& step = script.steps[i];
    if (step.is_resize()) {
      model.resize(step.rows, step.cols);
      reference.resize(step.rows, step.cols);
    } else {
      if (hazards.feed(step.bytes) != safe) {  // libvterm would fail from here on
        go_on_alone(model, script, i);
        return result;
      }
      model.feed(step.bytes);
      reference.feed(step.bytes);
    }
    const auto expected = reference.take_snapshot();
    auto actual = model.take_snapshot();
    if (step.is_resize() &&
        hazards.resize(step.rows, step.cols, actual.cursor_row, expected.cursor_row) != safe) {
      go_on_alone(model, script, i + 1);
      return result;
    }
    result.last = std::move(actual);
    auto difference = describe_difference(expected, result.last);
    if (difference.empty() && reference.interpreted_bytes() != model.interpreted_bytes())
      difference = "interpreted " + std::to_string(reference.interpreted_bytes()) + " bytes, not " +
                   std::to_string(model.interpreted_bytes());
    // The text comes from the same lines as the snapshot: compared once, at the end.
    const bool last = i + 1 == script.steps.size();
    if (difference.empty() && last && reference.screen_text() != model.screen_text())
      difference = "screen text \"" + escaped(reference.screen_text()) + "\", not \"" +
                   escaped(model.screen_text()) + '"';
    if (!difference.empty()) {
      result.difference =
          "step " + std::to_string(i) + " of " + std::to_string(script.steps.size()) + " (" +
          (step.is_resize()
               ? "resize to " + std::to_string(step.rows) + 'x' + std::to_string(step.cols)
               : "feed \"" + escaped(step.bytes) + '"') +
          "): " + difference;
      return result;
    }
  }
  return result;
}

TEST(screen_model_differential, matches_the_reference_on_every_input_of_the_unit_tests) {
  for (const auto& [name, script] : unit_test_scripts()) {
    const auto result = run(script);
    EXPECT_EQ(result.difference, "") << name;
    // What the unit tests replay: the rendered snapshot in a fresh terminal of that size.
    const auto replay = run(
        {script.rows, script.cols, script.scrollback, {screen_step::feed(render_vt(result.last))}});
    EXPECT_EQ(replay.difference, "") << name << ", replayed";
  }
}

TEST(screen_model_differential, matches_the_reference_on_seeded_random_output) {
  for (unsigned seed = 0; seed < random_scripts; ++seed) {
    const auto script = random_script(seed);
    const auto result = run(script);
    ASSERT_EQ(result.difference, "") << "seed " << seed << ", " << script.rows << 'x' << script.cols
                                     << ", scrollback " << script.scrollback;
  }
}

TEST(screen_model_differential, matches_the_reference_while_output_scrolls_by_in_bulk) {
  std::string numbers;
  for (int i = 1; i <= 30'000; ++i)
    numbers += std::to_string(i) + "\r\n";
  std::string long_lines;
  for (int i = 0; i < 2'000; ++i)
    long_lines += "\x1b[3" + std::to_string(i % 8) + 'm' + std::string(100 + i % 7, 'a') + "\r\n";
  for (const std::size_t scrollback : {0, 1, 7, 1000}) {
    screen_script script{24, 80, scrollback, {}};
    for (const auto* bulk : {&numbers, &long_lines}) {
      constexpr std::size_t feed_bytes = 64 * 1024;  // a snapshot after each: not too many
      for (std::size_t at = 0; at < bulk->size(); at += feed_bytes)
        script.steps.push_back(screen_step::feed(bulk->substr(at, feed_bytes)));
      script.steps.push_back(screen_step::resize(20, 60 + static_cast<int>(scrollback % 50)));
    }
    EXPECT_EQ(run(script).difference, "") << "scrollback " << scrollback;
  }
}

}  // namespace
}  // namespace berth::actors
