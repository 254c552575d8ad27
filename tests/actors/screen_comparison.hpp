#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "actors/screen_model.hpp"

// For tests only: what the differential test and fuzzer need beside reference_screen.

namespace berth::actors {

/// The first field in which two snapshots differ, in words ("" when they are equal).
std::string describe_difference(const screen_snapshot& expected, const screen_snapshot& actual);

/// A shadow of screen_model's libvterm state (parser, cursor, modes, margins: no screen),
/// fed everything first, that tells when libvterm 0.1.4 is about to meet something it
/// mishandles (see reach), under reference_screen or under both.
class reference_hazards {
 public:
  /// How far output and resizes got from what libvterm 0.1.4 handles.
  enum class reach {
    /// Nothing it mishandles.
    safe,
    /// What only reference_screen mishandles (it crashes or corrupts memory, screen_model
    /// clips): a glyph of negative width (a C1 control sent as UTF-8 text moves the cursor
    /// left of the screen, where an erase writes through a null cell), a glyph wider than
    /// two columns (combining marks that are wide themselves, such as U+302A, add up past any
    /// screen and VTermScreen's putglyph writes past its row), a cursor beside the screen, a
    /// resize that moves its cursor above the screen (rows above it scrolled away).
    reference_unsafe,
    /// What its parser and state layer mishandle, under screen_model too: a cursor below
    /// the screen (DECRC or ?1049l after a resize to fewer rows restores the old row
    /// unclamped, and the state reads and writes its per-row array past the end), a scroll
    /// region whose top is below its bottom (a resize clamps only the bottom; the next scroll
    /// moves memory by a negative length), ESC with controls after it and then ST in an OSC
    /// or DCS (the string ends with a length of -1: libvterm copies from past its input).
    state_unsafe,
  };

  /// A fresh shadow of a rows×cols screen_model.
  reference_hazards(int rows, int cols);
  /// Frees the libvterm instance.
  ~reference_hazards();
  reference_hazards(const reference_hazards&) = delete;
  reference_hazards& operator=(const reference_hazards&) = delete;

  /// Follows bytes as screen_model::feed takes them (up to a state hazard): the worst seen.
  reach feed(std::string_view bytes);
  /// Follows a resize after which the model's cursor is on model_row and the reference's on
  /// reference_row (their snapshots tell; where a screen puts the cursor depends on what it
  /// holds): the worst seen. The shadow follows the model.
  reach resize(int rows, int cols, int model_row, int reference_row);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace berth::actors
