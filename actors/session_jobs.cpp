#include "actors/session_jobs.hpp"

#include "actors/session_events.hpp"
#include "actors/workspace_docker.hpp"
#include "docker/workspace_container.hpp"
#include "events/event_store.hpp"

namespace berth::actors {

opened_link open_keeper_link(session_context& context, const std::string& workspace_id,
                             const std::string& keeper_session, const caf::actor& handle,
                             std::uint64_t generation, std::shared_ptr<keeper_inbox> inbox) {
  opened_link result;
  auto docker = docker_for_this_thread();
  if (!docker) {
    result.failure = "Docker: " + docker.error().message;
    return result;
  }
  auto shared = context.keepers->share(**docker, docker::workspace_resource_name(workspace_id),
                                       keeper_session, {handle, generation, std::move(inbox)});
  if (!shared.share) {
    result.failure = std::move(shared.failure);
    result.container_missing = shared.container_missing;
    return result;
  }
  result.link.emplace(std::move(*shared.share));
  return result;
}

recorded_output read_recorded_output(events::event_store& store, const std::string& session_id,
                                     std::int64_t from, std::int64_t until,
                                     std::int64_t first_version) {
  recorded_output out;
  const auto stream = session_stream(session_id);
  auto position = from;
  auto next_version = first_version;
  while (position < until) {
    auto page = store.read_stream(stream, next_version, 64);
    if (!page) {
      out.failure = page.error().message;
      return out;
    }
    if (page->empty()) break;
    for (const auto& event : *page) {
      next_version = event.stream_version + 1;
      const auto offset = output_offset_of(event);
      if (!offset || !event.body) continue;
      const auto end = *offset + static_cast<std::int64_t>(event.body->size());
      if (end <= position || *offset > position) continue;
      const auto skip = static_cast<std::size_t>(position - *offset);
      const auto take = std::min<std::int64_t>(end, until) - position;
      out.bytes.append(*event.body, skip, static_cast<std::size_t>(take));
      position += take;
      if (position >= until) break;
    }
  }
  return out;
}

}  // namespace berth::actors
