// A session rebuilt from its stream after a restart (or when woken to be read): the state
// from every event without its bytes, the screen from the newest keyframe and the output
// after it. Runs on the blocking pool.

#include "actors/session_events.hpp"
#include "actors/session_jobs.hpp"
#include "events/event_store.hpp"

namespace berth::actors {
namespace {

// Events read per round trip with their bodies: 64 full output events are 4 MiB, so memory
// stays small however long the tail is.
constexpr std::size_t tail_page_events = 64;

command_error unavailable(const events::error& problem) {
  return command_error{command_error::kind::dependency_unavailable, problem.message};
}

/// The state from every event, bodies left in the database.
command_result<session_state> fold_state(events::event_store& store, const std::string& stream) {
  session_state folded;
  std::optional<std::int64_t> unreadable;
  auto read = store.fold_stream(
      stream, 1,
      [&](const events::recorded_event& event) {
        if (!unreadable && evolve(folded, event) == fold_outcome::unreadable)
          unreadable = event.stream_version;
      },
      events::bodies::left_out);
  if (!read) return tl::unexpected(unavailable(read.error()));
  if (unreadable) {
    return tl::unexpected(command_error{
        command_error::kind::internal,
        "the session's event at version " + std::to_string(*unreadable) + " cannot be read"});
  }
  return folded;
}

/// The newest keyframe, or nothing when there is none or it is not one Berth wrote.
events::result<std::optional<screen_keyframe>> load_keyframe(events::event_store& store,
                                                             const std::string& stream) {
  auto stored = store.load_snapshot(stream, screen_keyframe_state_version);
  if (!stored) return tl::unexpected(stored.error());
  if (!*stored) return std::optional<screen_keyframe>{};
  return decode_keyframe((*stored)->state);
}

}  // namespace

recovered_session recover_session(events::event_store& store, const std::string& session_id,
                                  std::int64_t window) {
  recovered_session found;
  const auto stream = session_stream(session_id);
  auto folded = fold_state(store, stream);
  if (!folded || !folded->exists()) {
    found.state = std::move(folded);
    return found;
  }
  const auto& state = *folded;
  auto keyframe = load_keyframe(store, stream);
  if (!keyframe) {
    found.state = tl::unexpected(unavailable(keyframe.error()));
    return found;
  }
  auto plan = plan_recovery_read(state, *keyframe, window);
  if (plan.from_keyframe) {
    const auto& start = **keyframe;
    found.screen.emplace(start.rows, start.cols);
    found.screen->feed(start.vt);
    found.screen_origin = start.offset - found.screen->interpreted_bytes();
    found.keyframe_offset = start.offset;
    found.from_keyframe = true;
  }
  const std::int64_t keyframe_version = plan.from_keyframe ? (*keyframe)->version : 0;
  auto next = plan.from_version;
  while (next <= state.version) {
    auto page = store.read_stream(stream, next, tail_page_events);
    if (!page) {
      found.state = tl::unexpected(unavailable(page.error()));
      return found;
    }
    if (page->empty()) break;
    for (const auto& event : *page) {
      if (event.stream_version > state.version) break;
      next = event.stream_version + 1;
      const auto decoded = decode_session_event(event.type, event.data);
      if (!decoded) continue;
      if (const auto* opened = std::get_if<session_event::opened>(&*decoded)) {
        if (!found.screen) found.screen.emplace(opened->rows, opened->cols);
      } else if (const auto* resized = std::get_if<session_event::resized>(&*decoded)) {
        // A keyframe holds the effect of every event up to its version.
        if (found.screen && event.stream_version > keyframe_version)
          found.screen->resize(resized->rows, resized->cols);
      } else if (const auto* output = std::get_if<session_event::output_recorded>(&*decoded)) {
        if (!event.body) continue;
        const std::string_view bytes = *event.body;
        const auto end = output->offset + static_cast<std::int64_t>(bytes.size());
        if (found.screen && end > plan.feed_from) {
          const auto skip = std::max<std::int64_t>(0, plan.feed_from - output->offset);
          found.screen->feed(bytes.substr(static_cast<std::size_t>(skip)));
          found.fed_bytes += end - output->offset - skip;
        }
        if (end > plan.tail_from) {
          const auto skip = std::max<std::int64_t>(0, plan.tail_from - output->offset);
          found.tail.append(bytes.substr(static_cast<std::size_t>(skip)));
        }
      }
    }
  }
  if (found.screen && found.fed_bytes >= keyframe_interval) {
    // Recovered the long way (no keyframe yet, or an old one): spare the next recovery.
    const auto snapshot = found.screen->take_snapshot();
    screen_keyframe fresh{found.screen_origin + found.screen->interpreted_bytes(), state.version,
                          snapshot.rows, snapshot.cols, render_vt(snapshot)};
    if (save_keyframe(store, session_id, fresh)) found.keyframe_offset = fresh.offset;
  }
  found.state = std::move(*folded);
  return found;
}

bool save_keyframe(events::event_store& store, const std::string& session_id,
                   const screen_keyframe& keyframe) {
  return store
      .save_snapshot(events::snapshot{session_stream(session_id), keyframe.version,
                                      screen_keyframe_state_version, encode_keyframe(keyframe)})
      .has_value();
}

}  // namespace berth::actors
