#pragma once

// The session actor and the session directory (CAF): include only from actors/*.cpp.

#include <memory>
#include <optional>
#include <string>
#include <variant>

#include <caf/all.hpp>

#include "actors/session_service.hpp"
#include "docker/keeper/messages.hpp"

namespace boost::asio {
class io_context;
}

namespace berth::actors {

class keeper_hub;

using session_outcome = command_result<session_summary>;

/// What every session actor shares.
struct session_context {
  events::event_store& store;
  workspace_service& workspaces;
  session_options options;
  boost::asio::io_context& io;          ///< runs the keeper links
  caf::actor pool;                      ///< blocking work
  std::shared_ptr<keeper_hub> keepers;  ///< one keeper link per workspace, on `io`
  caf::actor screen_pool;               ///< feeds screen models (screen_feeder), apart from `pool`
};

/// A new session to open (directory → new actor, replied to with a session_outcome).
struct open_session {
  std::string session_id, workspace_id;
  int cols = 80, rows = 24;
  session_caller caller;
};
/// Client and API requests, addressed to one session through the directory.
struct attach_client {
  std::string client_id;
  std::shared_ptr<terminal::client> client;
  std::optional<std::int64_t> from;
  session_caller caller;
};
struct detach_client {
  std::string client_id;
};
struct client_input {
  std::string client_id;
  std::string bytes;
};
struct client_resize {
  std::string client_id;
  int cols = 0, rows = 0;
};
struct client_ack {
  std::string client_id;
  std::int64_t offset = 0;
};
struct get_session {};
struct close_session {
  session_caller caller;
};
struct rename_session {
  std::string name;  ///< checked by the service already
  session_caller caller;
};
/// Anything a session actor is asked; get, close and rename are replied to with a
/// session_outcome.
using session_request = std::variant<attach_client, detach_client, client_input, client_resize,
                                     client_ack, get_session, close_session, rename_session>;
struct addressed_session {
  std::string session_id;
  session_request request;
};
/// Directory: count and open a session (limits checked against the live actors).
struct open_request_for_directory {
  open_session open;
};
/// Directory: bring these sessions back after a restart.
struct recover_sessions {
  std::vector<std::string> session_ids;
};

/// Keeper link → session actor; `link` tells messages of an old link from the current one's.
struct keeper_delivery {
  std::uint64_t link = 0;
  keeper::message message;
};
struct keeper_link_ended {
  std::uint64_t link = 0;
  std::string failure;  ///< empty for a clean end
};

/// The directory: one session actor per session id, spawned on demand (recovering its
/// state from the stream) or to open a new session; it counts open sessions for the limits.
caf::behavior session_directory(caf::event_based_actor* self,
                                std::shared_ptr<session_context> context);

}  // namespace berth::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::session_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::open_session)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::addressed_session)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::session_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::open_request_for_directory)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::recover_sessions)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::keeper_delivery)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::keeper_link_ended)
