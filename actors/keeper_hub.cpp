#include "actors/keeper_hub.hpp"

#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "actors/session_actor.hpp"
#include "actors/workspace_docker.hpp"
#include "docker/keeper_link.hpp"

namespace berth::actors {
namespace hub_detail {
namespace {

// The session a frame names; nullptr for those naming none (hello, list).
const std::string* session_named(const keeper::message& message) {
  return std::visit(
      [](const auto& typed) -> const std::string* {
        if constexpr (requires { typed.session; }) {
          return &typed.session;
        } else {
          return nullptr;
        }
      },
      message);
}

}  // namespace

class workspace_link : public std::enable_shared_from_this<workspace_link> {
 public:
  enum class phase { opening, open, closed };

  explicit workspace_link(boost::asio::io_context& io) : io_(io) {}
  workspace_link(const workspace_link&) = delete;
  workspace_link& operator=(const workspace_link&) = delete;

  // The keeper link's destructor waits for a callback in progress, so it must not run inside
  // one (a callback may hold the last reference): there it is left to the io_context.
  ~workspace_link() {
    if (!link_) return;
    if (!io_.get_executor().running_in_this_thread()) return;  // link_ closes here
    boost::asio::post(io_, [doomed = std::make_shared<docker::keeper_link>(std::move(*link_))] {});
    link_.reset();
  }

  docker::keeper_link_handlers handlers() {
    const std::weak_ptr<workspace_link> weak = weak_from_this();
    return {.on_message =
                [weak](const keeper::message& message) {
                  if (auto self = weak.lock()) self->on_message(message);
                },
            .on_closed =
                [weak](std::optional<docker::keeper_link_error> failure) {
                  if (auto self = weak.lock()) self->on_closed(failure);
                },
            .on_diagnostic = {},
            .should_pause =
                [weak] {
                  auto self = weak.lock();
                  return self && self->should_pause();
                }};
  }

  /// The opener's part: the outcome of keeper_link::open. Requests sessions sent meanwhile
  /// go out now, in order; if it failed, the sessions that joined hear the link ended.
  void opened(tl::expected<docker::keeper_link, docker::keeper_link_error> outcome) {
    std::map<std::string, entry> orphans;
    std::string failure;
    {
      std::lock_guard lock{mutex_};
      if (!outcome) {
        failure_ = docker::describe(outcome.error());
        container_missing_ =
            outcome.error().docker && (outcome.error().docker->http_status == 404 ||
                                       outcome.error().docker->http_status == 409);
        at_ = phase::closed;
        orphans.swap(subscribers_);
        failure = failure_;
      } else {
        link_.emplace(std::move(*outcome));
        for (const auto& message : early_)
          link_->send(message);
        if (at_ == phase::opening) at_ = phase::open;  // it may have ended already
      }
      early_.clear();
      early_bytes_ = 0;
    }
    for (const auto& [session, orphan] : orphans) {
      caf::anon_send(orphan.subscriber.handle,
                     keeper_link_ended{orphan.subscriber.generation, failure});
    }
  }

  /// Subscribes a session, also while the link is still opening (its requests then wait
  /// here): no pool thread waits for another's `docker exec`.
  shared_link subscribe(const std::string& session, keeper_subscriber subscriber) {
    std::unique_lock lock{mutex_};
    if (at_ == phase::closed) {
      return {std::nullopt, failure_.empty() ? "the keeper link ended" : failure_,
              container_missing_};
    }
    // A session's successor actor may subscribe before its predecessor's share is gone: the
    // ticket tells whose leaving counts.
    const auto ticket = ++tickets_;
    subscribers_.insert_or_assign(session, entry{std::move(subscriber), ticket});
    known_.insert(session);
    lock.unlock();
    return {keeper_share(shared_from_this(), session, ticket), {}, false};
  }

  bool closed() {
    std::lock_guard lock{mutex_};
    return at_ == phase::closed;
  }

  void send(const keeper::message& message) {
    std::lock_guard lock{mutex_};
    if (at_ == phase::opening) {
      early_bytes_ += keeper::encode_message(message).size();
      early_.push_back(message);
    } else if (link_) {
      link_->send(message);
    }
  }

  /// Counts the requests waiting for the link to open too, so the sessions' input bounds
  /// (max_link_queue) hold before it opens as after.
  std::size_t queued_bytes() {
    std::lock_guard lock{mutex_};
    return early_bytes_ + (link_ ? link_->queued_bytes() : 0);
  }

  void vote_pause(const std::string& session, bool pause) {
    bool read = false;
    {
      std::lock_guard lock{mutex_};
      if (pause) {
        pausers_.insert(session);
      } else {
        pausers_.erase(session);
        read = pausers_.empty() && !any_inbox_paused();
      }
    }
    std::lock_guard lock{mutex_};
    if (!link_) return;  // still opening: should_pause decides at the first read
    if (pause) link_->pause_reading();
    if (read) link_->resume_reading();
  }

  /// A share leaves: the keeper stops streaming its session here (unless the link ends).
  void leave(const std::string& session, std::uint64_t ticket, bool close_link) {
    bool read = false;
    {
      std::lock_guard lock{mutex_};
      const auto found = subscribers_.find(session);
      if (found == subscribers_.end() || found->second.ticket != ticket) {
        if (!close_link) return;  // a successor holds the session now
      } else {
        subscribers_.erase(found);
        read = pausers_.erase(session) > 0 && pausers_.empty() && !any_inbox_paused();
      }
    }
    if (close_link) {
      std::lock_guard lock{mutex_};
      if (link_) link_->close();
      return;
    }
    send(keeper::detach_request{session});
    std::lock_guard lock{mutex_};
    if (read && link_) link_->resume_reading();
  }

 private:
  bool any_inbox_paused() const {
    for (const auto& [session, subscribed] : subscribers_)
      if (subscribed.subscriber.inbox->paused) return true;
    return false;
  }

  void on_message(const keeper::message& message) {
    const auto* named = session_named(message);
    if (!named) return;  // the hello (already checked by the link) or a list nobody asked for
    std::vector<keeper_subscriber> receivers;
    {
      std::lock_guard lock{mutex_};
      if (const auto found = subscribers_.find(*named); found != subscribers_.end()) {
        receivers.push_back(found->second.subscriber);
      } else if (!named->empty() && known_.contains(*named)) {
        return;  // a session that left this link: what the keeper sent before the detach
      } else {
        // About the connection (no session), or naming one never attached here: every
        // session hears it (and refuses a forged one).
        for (const auto& [session, subscribed] : subscribers_)
          receivers.push_back(subscribed.subscriber);
      }
    }
    const auto* output = std::get_if<keeper::output_event>(&message);
    for (const auto& receiver : receivers) {
      if (output) receiver.inbox->bytes += static_cast<std::int64_t>(output->data.size());
      caf::anon_send(receiver.handle, keeper_delivery{receiver.generation, message});
    }
  }

  void on_closed(const std::optional<docker::keeper_link_error>& failure) {
    std::map<std::string, entry> receivers;
    {
      std::lock_guard lock{mutex_};
      at_ = phase::closed;
      if (failure_.empty()) failure_ = failure ? docker::describe(*failure) : std::string{};
      receivers.swap(subscribers_);
    }
    const auto text = failure ? docker::describe(*failure) : std::string{};
    for (const auto& [session, receiver] : receivers) {
      caf::anon_send(receiver.subscriber.handle,
                     keeper_link_ended{receiver.subscriber.generation, text});
    }
  }

  // After the messages of each read: pause while a session's inbox is full or a session
  // votes so. An inbox is marked first and looked at again: its actor may have emptied it
  // in between, and then nothing would resume the link.
  bool should_pause() {
    std::lock_guard lock{mutex_};
    bool pause = !pausers_.empty();
    for (const auto& [session, subscribed] : subscribers_) {
      auto& inbox = *subscribed.subscriber.inbox;
      if (inbox.bytes.load() <= max_inbox_bytes) continue;
      inbox.paused = true;
      if (inbox.bytes.load() > max_inbox_bytes) {
        pause = true;
      } else {
        inbox.paused = false;
      }
    }
    return pause;
  }

  boost::asio::io_context& io_;
  std::mutex mutex_;
  phase at_ = phase::opening;
  std::string failure_;
  bool container_missing_ = false;
  std::optional<docker::keeper_link> link_;  ///< set once the exec started, under mutex_
  std::vector<keeper::message> early_;       ///< requests sent while the link was opening
  std::size_t early_bytes_ = 0;
  struct entry {
    keeper_subscriber subscriber;
    std::uint64_t ticket = 0;
  };
  std::map<std::string, entry> subscribers_;
  std::uint64_t tickets_ = 0;
  std::set<std::string> known_;    ///< every session subscribed on this link so far
  std::set<std::string> pausers_;  ///< sessions whose recording backlog is full
};

}  // namespace hub_detail

// --- keeper_share ---------------------------------------------------------------------------

keeper_share::keeper_share(std::shared_ptr<hub_detail::workspace_link> link, std::string session,
                           std::uint64_t ticket)
    : link_(std::move(link)), session_(std::move(session)), ticket_(ticket) {}

keeper_share::keeper_share(keeper_share&& other) noexcept
    : link_(std::move(other.link_)), session_(std::move(other.session_)), ticket_(other.ticket_) {}

keeper_share& keeper_share::operator=(keeper_share&& other) noexcept {
  if (this != &other) {
    release();
    link_ = std::move(other.link_);
    session_ = std::move(other.session_);
    ticket_ = other.ticket_;
  }
  return *this;
}

keeper_share::~keeper_share() {
  release();
}

void keeper_share::release() {
  if (!link_) return;
  link_->leave(session_, ticket_, false);
  link_.reset();
}

void keeper_share::send(const keeper::message& message) {
  if (link_) link_->send(message);
}

std::size_t keeper_share::queued_bytes() const {
  return link_ ? link_->queued_bytes() : 0;
}

void keeper_share::pause_reading() {
  if (link_) link_->vote_pause(session_, true);
}

void keeper_share::resume_reading() {
  if (link_) link_->vote_pause(session_, false);
}

void keeper_share::close_link() {
  if (!link_) return;
  link_->leave(session_, ticket_, true);
  link_.reset();
}

// --- keeper_hub -----------------------------------------------------------------------------

struct keeper_hub::impl {
  boost::asio::io_context& io;
  std::mutex mutex;
  std::map<std::string, std::weak_ptr<hub_detail::workspace_link>> links;  ///< by container
};

keeper_hub::keeper_hub(boost::asio::io_context& io) : impl_(std::make_unique<impl>(io)) {}
keeper_hub::~keeper_hub() = default;

shared_link keeper_hub::share(docker::client& docker, const std::string& container,
                              const std::string& session, keeper_subscriber subscriber) {
  std::shared_ptr<hub_detail::workspace_link> link;
  bool opener = false;
  {
    std::lock_guard lock{impl_->mutex};
    for (auto it = impl_->links.begin(); it != impl_->links.end();)  // forget dead links
      it = it->second.expired() ? impl_->links.erase(it) : std::next(it);
    auto& entry = impl_->links[container];
    link = entry.lock();
    if (!link || link->closed()) {
      link = std::make_shared<hub_detail::workspace_link>(impl_->io);
      entry = link;
      opener = true;
    }
  }
  if (opener) {
    auto outcome = docker::keeper_link::open(docker, impl_->io, container, link->handlers());
    if (!outcome && outcome.error().docker) forget_docker_client_on(*outcome.error().docker);
    link->opened(std::move(outcome));
  }
  return link->subscribe(session, std::move(subscriber));
}

}  // namespace berth::actors
