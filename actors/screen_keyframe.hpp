#pragma once

// Screen keyframes: a session's screen as VT text at a known output offset and stream
// version, saved as the stream's snapshot so that recovery after a restart feeds the screen
// model only the output after the newest keyframe, not everything the session ever printed.
// Pure: the codec, when to take one and what recovery must read.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "actors/session_state.hpp"

namespace berth::actors {

/// The screen at `offset`: `vt` reproduces it in a fresh rows×cols model (render_vt), and
/// `version` is the stream version of the last event whose effect it holds. Output bytes at
/// and after `offset` that sit in events up to `version` were received but held back by the
/// model (an unfinished sequence), so recovery feeds them without that stretch's resizes.
struct screen_keyframe {
  std::int64_t offset = 0;
  std::int64_t version = 0;
  int rows = 24, cols = 80;
  std::string vt;

  bool operator==(const screen_keyframe&) const = default;
};

/// `es_snapshots.state_version` of session keyframes; a new encoding takes a new number.
inline constexpr int screen_keyframe_state_version = 1;

/// Output interpreted between keyframes. Recovery feeds at most about this much to the screen
/// model (libvterm interprets a few MB/s of scrolling text: 2 MiB keeps the first echo after a
/// restart well under a second), and a keyframe (the screen and 1,000 lines of scrollback,
/// ~100 KiB of VT text) then costs a few percent of the output it stands for.
inline constexpr std::int64_t keyframe_interval = 2 * 1024 * 1024;

/// Output interpreted between keyframes while the alternate screen is active. A keyframe
/// there cannot hold the primary screen hidden behind it (render_vt shows the active one), so
/// one is taken only when waiting longer would make recovery slow.
inline constexpr std::int64_t keyframe_interval_on_alt_screen = 16 * 1024 * 1024;

/// Longest VT text a stored keyframe may hold: 500×500 cells of four-byte characters with
/// SGR runs, and 1,000 lines of scrollback like them, stay far below it; anything longer is
/// not a keyframe Berth wrote.
inline constexpr std::size_t max_keyframe_vt_bytes = 64 * 1024 * 1024;

/// Whether a keyframe is due after `interpreted_since` bytes since the last one.
bool keyframe_due(std::int64_t interpreted_since, bool alt_screen);

/// When a running session takes keyframes, and the one it holds until the events it reflects
/// are committed. The screen is taken as soon as one is due (the model has then seen every
/// byte and resize received) and tagged with the version the newest received event will have
/// (session_recorder::received_version); it is saved once the committed version reaches
/// that, so a stored keyframe never stands for events the log lacks. Waiting instead for an
/// append holding every pending event would take none during a flood: output keeps arriving
/// while up to max_unrecorded_output waits to be appended, a megabyte an append.
///
/// At most one is held. One due meanwhile is skipped, not taken in its place: a newer one is
/// always a backlog ahead of the commit too, so under sustained output replacing would never
/// save any. The next is taken at the first look after the held one is saved, about a
/// backlog later, so a recovery feeds about a backlog of output, at most about an interval
/// and a backlog.
class keyframe_cadence {
 public:
  /// A session whose newest keyframe stands at output offset `newest_offset` (0: none).
  explicit keyframe_cadence(std::int64_t newest_offset = 0);

  /// Whether to look at the screen at output offset `offset` (cheap, before any snapshot):
  /// an interval has passed since the newest keyframe and none is held.
  bool worth_looking(std::int64_t offset) const;
  /// Having looked: whether one is due at `offset` on the alternate screen or not. When it
  /// is not, the next look is an interval later.
  bool due(std::int64_t offset, bool alt_screen);
  /// Holds `keyframe`, taken at its offset and tagged with its version, until that version
  /// is committed; it is the newest from now on.
  void hold(screen_keyframe keyframe);
  /// The held keyframe, to save, once `committed_version` reaches its version.
  std::optional<screen_keyframe> take_committed(std::int64_t committed_version);
  /// Whether a keyframe waits for its events to commit.
  bool holding() const { return held_.has_value(); }

 private:
  std::int64_t newest_offset_;
  std::int64_t next_look_;
  std::optional<screen_keyframe> held_;
};

/// The stored form (binary: VT text need not be valid UTF-8).
std::string encode_keyframe(const screen_keyframe& keyframe);
/// The keyframe in a stored form; nothing for anything encode_keyframe did not write.
std::optional<screen_keyframe> decode_keyframe(std::string_view stored);

/// What recovery reads with bodies, once the session's state is folded without them.
struct recovery_read {
  std::int64_t from_version = 1;  ///< the first event to read
  std::int64_t feed_from = 0;     ///< output before this offset is not fed to the screen
  std::int64_t tail_from = 0;     ///< output from here on goes into the memory window
  bool from_keyframe = false;     ///< the screen starts from the keyframe, not a blank one
};

/// Where to start for `state` (folded up to its newest event), with the newest keyframe if
/// any and a memory window of `window` bytes. A keyframe the state does not reach (written
/// after a crash lost the events it stands on, or corrupt) is not used: the screen is then
/// rebuilt from the start.
recovery_read plan_recovery_read(const session_state& state,
                                 const std::optional<screen_keyframe>& keyframe,
                                 std::int64_t window);

}  // namespace berth::actors
