// What a session's recovery reads (declared in screen_keyframe.hpp); apart from the codec so
// that the codec's fuzz target needs nothing else.

#include <algorithm>

#include "actors/screen_keyframe.hpp"

namespace berth::actors {

recovery_read plan_recovery_read(const session_state& state,
                                 const std::optional<screen_keyframe>& keyframe,
                                 std::int64_t window) {
  recovery_read plan;
  plan.tail_from = std::max<std::int64_t>(0, state.output_end - std::max<std::int64_t>(0, window));
  const bool usable =
      keyframe && keyframe->version <= state.version && keyframe->offset <= state.output_end;
  if (!usable) return plan;  // everything from the first event: the screen starts blank
  plan.from_keyframe = true;
  plan.feed_from = keyframe->offset;
  // Every event after the keyframe (resizes too), and the chunks holding the bytes the
  // screen and the window still need.
  plan.from_version = keyframe->version + 1;
  const auto first = chunk_holding(state.output_index, std::min(plan.feed_from, plan.tail_from));
  if (first < state.output_index.size())
    plan.from_version = std::min(plan.from_version, state.output_index[first].version);
  return plan;
}

}  // namespace berth::actors
