#pragma once
// The keeper's single-threaded event loop: accepts connections on the unix socket, owns the
// sessions, moves bytes between PTYs, journals and connections, and reaps children.
// Flow: PTY master → journal (stops when full of unacknowledged bytes) → each attachment's
// cursor → connection's outgoing queue (bounded) → socket. Requests arrive the other way.

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "docker/keeper/connection.hpp"
#include "docker/keeper/messages.hpp"
#include "docker/keeper/options.hpp"
#include "docker/keeper/session.hpp"
#include "docker/keeper/unique_fd.hpp"

namespace berth::keeper {

/// Runs `keeper serve`.
class server {
 public:
  explicit server(serve_options options);

  /// Serves until SIGTERM or SIGINT; returns the process exit code.
  int run();

 private:
  // Set-up (server.cpp).
  bool open_signals();
  bool open_listener();

  // Event loop steps (server.cpp).
  int poll_timeout_ms(steady_time now) const;
  void handle_signals();
  void reap_children();
  void accept_connections();
  void read_connection(connection& c);
  void write_connection(connection& c);
  void read_terminal(session& s);
  void write_terminal(session& s);
  void hang_up_terminal(session& s);
  void run_timers(steady_time now);
  /// Queues journal bytes and exit notices for c up to the high-water mark; true if any.
  bool pump_output(connection& c);
  void sweep();
  void shut_down();

  // Requests (server_requests.cpp).
  void process_requests(connection& c);
  bool blocked(const connection& c) const;
  void handle(connection& c, const message& request);
  void on_open(connection& c, const open_request& request);
  void on_attach(connection& c, const attach_request& request);
  void on_input(connection& c, const input_request& request);
  void on_resize(connection& c, const resize_request& request);
  void on_ack(connection& c, const ack_request& request);
  void on_list(connection& c);
  void on_close(connection& c, const close_request& request);
  void on_detach(connection& c, const detach_request& request);
  session* find_session(connection& c, const std::string& id);
  void send(connection& c, const message& reply);
  void send_error(connection& c, error_code code, std::string session, std::string text);
  void remove_session(const std::string& id);

  serve_options options_;
  unique_fd signals_;
  unique_fd listener_;
  bool stopping_ = false;
  std::uint64_t next_connection_id_ = 1;
  std::map<std::uint64_t, std::unique_ptr<connection>> connections_;
  std::map<std::string, std::unique_ptr<session>> sessions_;
};

}  // namespace berth::keeper
