#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "actors/screen_model.hpp"

// For tests only: the screen model as it was before it kept its own cells, on libvterm
// 0.1.4's own VTermScreen. The differential test and fuzzer hold the current screen_model
// to it: every snapshot and interpreted_bytes must be equal.

namespace berth::actors {

/// screen_model's previous implementation (libvterm's VTermScreen), the same interface.
class reference_screen {
 public:
  /// A blank rows×cols screen keeping at most scrollback_lines lines of scrollback.
  reference_screen(int rows, int cols, std::size_t scrollback_lines = 1000);
  /// Frees the libvterm instance.
  ~reference_screen();
  /// Moves transfer the libvterm instance.
  reference_screen(reference_screen&&) noexcept;
  /// Move assignment, as the move constructor.
  reference_screen& operator=(reference_screen&&) noexcept;

  /// As screen_model::feed.
  void feed(std::string_view bytes);
  /// As screen_model::resize.
  void resize(int rows, int cols);
  /// As screen_model::interpreted_bytes.
  std::int64_t interpreted_bytes() const;
  /// As screen_model::take_snapshot.
  screen_snapshot take_snapshot() const;
  /// As screen_model::screen_text.
  std::string screen_text() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace berth::actors
