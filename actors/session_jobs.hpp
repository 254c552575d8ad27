#pragma once

// The blocking halves of a session's work (PostgreSQL, Docker), run on the blocking pool and
// handed back to the session actor. Include only from actors/*.cpp (CAF).

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <caf/all.hpp>

#include "actors/keeper_hub.hpp"
#include "actors/screen_keyframe.hpp"
#include "actors/screen_model.hpp"
#include "actors/session_actor.hpp"
#include "actors/session_state.hpp"

namespace berth::actors {

/// What a recovery found.
struct recovered_session {
  command_result<session_state> state = session_state{};
  std::string tail;  ///< the last bytes of output, for the memory window
  std::optional<screen_model> screen;
  /// The output offset of the screen model's first byte: a model started from a keyframe was
  /// fed the keyframe's VT text first, which stands for the output before the keyframe.
  std::int64_t screen_origin = 0;
  std::int64_t keyframe_offset = 0;  ///< where the newest keyframe stands (saved or used)
  std::int64_t fed_bytes = 0;        ///< recorded output fed to the screen model
  bool from_keyframe = false;
};

/// Rebuilds a session from its stream: the state folded from every event without bodies, the
/// screen from the newest keyframe plus the output after it (from a blank screen when there
/// is none), the newest `window` bytes of output. When it fed the screen more than a keyframe
/// interval, it saves a keyframe, so the next recovery is quick. A known event that cannot be
/// read fails the recovery rather than folding a corrupt log.
recovered_session recover_session(events::event_store& store, const std::string& session_id,
                                  std::int64_t window);

/// Saves a keyframe as the session stream's snapshot; false (logged) when the store refused.
bool save_keyframe(events::event_store& store, const std::string& session_id,
                   const screen_keyframe& keyframe);

/// A link opened on a pool thread, handed to the actor.
struct opened_link {
  std::optional<keeper_share> link;
  std::string failure;
  bool container_missing = false;
};

/// Subscribes `keeper_session` to its workspace's keeper link (opening the link when the
/// workspace has none); its messages reach `handle` tagged with `generation`.
opened_link open_keeper_link(session_context& context, const std::string& workspace_id,
                             const std::string& keeper_session, const caf::actor& handle,
                             std::uint64_t generation, std::shared_ptr<keeper_inbox> inbox);

/// Recorded output bytes [from, until) of a session read from its stream, starting at the
/// event at `first_version`; `failure` is set when the store could not be read.
struct recorded_output {
  std::string bytes;
  std::string failure;
};
recorded_output read_recorded_output(events::event_store& store, const std::string& session_id,
                                     std::int64_t from, std::int64_t until,
                                     std::int64_t first_version);

}  // namespace berth::actors
