// libFuzzer target for the terminal screen model, differential: the same output and resizes
// go to screen_model and to its previous implementation on libvterm's own screen
// (tests/actors/reference_screen), and after every step their snapshots, interpreted bytes
// and screen text must be equal. Input: three bytes of set-up (rows, columns, scrollback),
// then output bytes, split into feeds by "\xff\xfd" and interrupted by resizes
// "\xff\xfe" ROWS COLS. Past what libvterm's screen or state layer mishandles under the
// reference (reference_hazards), the model alone goes on: it must not crash.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "actors/screen_model.hpp"
#include "tests/actors/reference_screen.hpp"
#include "tests/actors/screen_comparison.hpp"

namespace {

using namespace berth::actors;

// Screens stay small enough that comparing snapshots after every step keeps the fuzzer fast;
// at least two columns, as reference_screen crashes on a wide character in one.
constexpr int max_rows = 30;
constexpr int max_cols = 80;
constexpr std::array<std::size_t, 4> scrollback_limits = {0, 1, 3, 1000};

int rows_from(unsigned char byte) {
  return 1 + byte % max_rows;
}

int cols_from(unsigned char byte) {
  return 2 + byte % (max_cols - 1);
}

void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "screen_model differs from the reference: %s: %s\n", what, detail.c_str());
  std::abort();
}

using reach = reference_hazards::reach;

struct pair_under_test {
  screen_model model;
  reference_screen reference;
  reference_hazards hazards;
  reach reached = reach::safe;

  pair_under_test(int rows, int cols, std::size_t scrollback)
      : model(rows, cols, scrollback), reference(rows, cols, scrollback), hazards(rows, cols) {}

  // The model goes on alone past what the reference mishandles, also what libvterm's state
  // layer alone mishandles (out of bounds reads and writes the model keeps it from).
  void feed(std::string_view bytes) {
    if (reached != reach::state_unsafe) reached = hazards.feed(bytes);
    model.feed(bytes);
    if (reached == reach::safe) reference.feed(bytes);
    compare();
  }

  void resize(int rows, int cols) {
    model.resize(rows, cols);
    if (reached == reach::state_unsafe) {
      compare();
      return;
    }
    const auto model_row = model.take_snapshot().cursor_row;
    auto reference_row = model_row;
    if (reached == reach::safe) {
      reference.resize(rows, cols);
      reference_row = reference.take_snapshot().cursor_row;
    }
    reached = hazards.resize(rows, cols, model_row, reference_row);
    compare();
  }

  void compare() {
    const auto actual = model.take_snapshot();
    // libvterm's state indexes its per-row array with the cursor's row.
    if (actual.cursor_row < 0 || actual.cursor_row >= actual.rows)
      fail("cursor", "row " + std::to_string(actual.cursor_row) + " outside the screen");
    if (reached != reach::safe) return;
    const auto expected = reference.take_snapshot();
    if (const auto difference = describe_difference(expected, actual); !difference.empty())
      fail("snapshot", difference);
    if (reference.interpreted_bytes() != model.interpreted_bytes())
      fail("interpreted bytes", std::to_string(reference.interpreted_bytes()) + " vs " +
                                    std::to_string(model.interpreted_bytes()));
    if (reference.screen_text() != model.screen_text()) fail("screen text", model.screen_text());
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t setup_bytes = 3;
  if (size < setup_bytes) return 0;
  pair_under_test pair(rows_from(data[0]), cols_from(data[1]),
                       scrollback_limits[data[2] % scrollback_limits.size()]);
  const std::string_view input(reinterpret_cast<const char*>(data) + setup_bytes,
                               size - setup_bytes);
  std::size_t start = 0;
  for (std::size_t at = 0; at + 1 < input.size(); ++at) {
    if (input[at] != '\xff' || (input[at + 1] != '\xfd' && input[at + 1] != '\xfe')) continue;
    if (at > start) pair.feed(input.substr(start, at - start));
    if (input[at + 1] == '\xfe' && at + 3 < input.size()) {
      pair.resize(rows_from(static_cast<unsigned char>(input[at + 2])),
                  cols_from(static_cast<unsigned char>(input[at + 3])));
      at += 2;
    }
    start = at + 2;
    ++at;
  }
  if (start < input.size()) pair.feed(input.substr(start));
  return 0;
}
