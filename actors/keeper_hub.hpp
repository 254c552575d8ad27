#pragma once

// One keeper link per workspace, shared by its sessions. A link is one `docker exec` of
// `keeper attach`, and starting an exec costs dockerd and runc about a tenth of a second of
// CPU: a server coming back with a hundred sessions in two workspaces opens two, not a
// hundred. The keeper protocol names the session in every frame, so frames are handed to
// the session they name. Include only from actors/*.cpp (CAF).
//
// The keeper is the tenant's own process: a frame naming a session never attached on the
// link goes to every session of the workspace, each of which refuses it and closes the link
// (the keeper's journal keeps the output; every session relinks after its backoff). One
// session's back-pressure pauses the link for the workspace's other sessions too: they share
// one keeper and one tenant.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <caf/actor.hpp>

#include "docker/keeper/messages.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace berth::docker {
class client;
}  // namespace berth::docker

namespace berth::actors {

/// Output bytes a keeper link handed to the session actor's mailbox and the actor has not
/// taken yet. Above this the link stops reading: a flooding keeper cannot grow the mailbox
/// faster than the actor empties it.
inline constexpr std::int64_t max_inbox_bytes = 1024 * 1024;

/// Shared by a link's I/O thread (adds, pauses) and the session actor (takes, resumes).
struct keeper_inbox {
  std::atomic<std::int64_t> bytes{0};
  std::atomic<bool> paused{false};  ///< the link paused itself for a full inbox
};

/// Where a session's frames go: its actor (as keeper_delivery and keeper_link_ended), tagged
/// with the link generation the session asked for.
struct keeper_subscriber {
  caf::actor handle;
  std::uint64_t generation = 0;
  std::shared_ptr<keeper_inbox> inbox;
};

namespace hub_detail {
class workspace_link;
}  // namespace hub_detail

/// A session's share of its workspace's keeper link. Dropping it detaches the session (the
/// keeper stops streaming it on this link); the link closes with its last share.
class keeper_share {
 public:
  keeper_share(std::shared_ptr<hub_detail::workspace_link> link, std::string session,
               std::uint64_t ticket);
  keeper_share(keeper_share&& other) noexcept;
  keeper_share& operator=(keeper_share&& other) noexcept;
  keeper_share(const keeper_share&) = delete;
  keeper_share& operator=(const keeper_share&) = delete;
  ~keeper_share();

  /// Queues a request on the shared link.
  void send(const keeper::message& message);
  /// Request bytes of the whole link not yet handed to the socket (or waiting for it to
  /// open).
  std::size_t queued_bytes() const;
  /// This session's vote to stop reading the link (its recording backlog is full); the link
  /// reads again once no session votes so and no inbox is full.
  void pause_reading();
  void resume_reading();
  /// Ends the link for every session of the workspace: its keeper broke the protocol.
  void close_link();

 private:
  void release();

  std::shared_ptr<hub_detail::workspace_link> link_;
  std::string session_;
  std::uint64_t ticket_ = 0;  ///< which subscription of the session this is
};

/// A share, or why the workspace's link could not be opened.
struct shared_link {
  std::optional<keeper_share> share;
  std::string failure;
  bool container_missing = false;  ///< Docker answered 404 or 409: no running container
};

/// The workspaces' keeper links (see the comment at the top).
class keeper_hub {
 public:
  explicit keeper_hub(boost::asio::io_context& io);
  ~keeper_hub();
  keeper_hub(const keeper_hub&) = delete;
  keeper_hub& operator=(const keeper_hub&) = delete;

  /// Subscribes `session` to the link into `container`. Without one it opens one, blocking
  /// (a pool thread) for the `docker exec`; sessions joining meanwhile get their share at
  /// once, their requests wait in the link until it opens, and if the open fails they hear
  /// the link ended (keeper_link_ended) and relink after their backoff.
  shared_link share(docker::client& docker, const std::string& container,
                    const std::string& session, keeper_subscriber subscriber);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace berth::actors
