#include "actors/session_jobs.hpp"

#include "actors/session_events.hpp"
#include "actors/workspace_docker.hpp"
#include "docker/workspace_container.hpp"
#include "events/event_store.hpp"

namespace berth::actors {

opened_link open_keeper_link(session_context& context, const std::string& workspace_id,
                             const caf::actor& handle, std::uint64_t generation,
                             std::shared_ptr<keeper_inbox> inbox) {
  opened_link result;
  auto docker = docker_for_this_thread();
  if (!docker) {
    result.failure = "Docker: " + docker.error().message;
    return result;
  }
  docker::keeper_link_handlers handlers{
      .on_message =
          [handle, generation, inbox](const keeper::message& message) {
            if (const auto* output = std::get_if<keeper::output_event>(&message)) {
              inbox->bytes += static_cast<std::int64_t>(output->data.size());
            }
            caf::anon_send(handle, keeper_delivery{generation, message});
          },
      .on_closed =
          [handle, generation](std::optional<docker::keeper_link_error> failure) {
            caf::anon_send(handle,
                           keeper_link_ended{generation,
                                             failure ? docker::describe(*failure) : std::string{}});
          },
      .on_diagnostic = {},
      .should_pause =
          [inbox] {
            if (inbox->bytes.load() <= max_inbox_bytes) return false;
            // Say so first, then look again: the actor may have emptied the inbox in
            // between, and then nothing would resume the link.
            inbox->paused = true;
            if (inbox->bytes.load() > max_inbox_bytes) return true;
            inbox->paused = false;
            return false;
          }};
  auto link = docker::keeper_link::open(
      **docker, context.io, docker::workspace_resource_name(workspace_id), std::move(handlers));
  if (!link) {
    result.failure = docker::describe(link.error());
    result.container_missing = link.error().docker && (link.error().docker->http_status == 404 ||
                                                       link.error().docker->http_status == 409);
    if (link.error().docker) forget_docker_client_on(*link.error().docker);
    return result;
  }
  result.link.emplace(std::move(*link));
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
