#include "tests/docker/keeper_fixture.hpp"

#include <curl/curl.h>

namespace berth::docker::testing {

deadline in(std::chrono::milliseconds span) {
  return clock_type::now() + span;
}

/// The exact bytes `seq 1 count` prints on a terminal (which turns \n into \r\n).
std::string seq_on_terminal(int count) {
  std::string out;
  for (int i = 1; i <= count; ++i)
    out += std::to_string(i) + "\r\n";
  return out;
}

const keeper_binary& loaded_keeper() {
  static const auto keeper = load_keeper_binary(BERTH_KEEPER_BINARY);
  if (!keeper) throw std::runtime_error(keeper.error());
  return *keeper;
}

/// Reads into stream until done(stream) holds, acking each output frame when ack is set.
bool read_until(link_probe& probe, session_stream& stream,
                const std::function<bool(const session_stream&)>& done, bool ack, deadline until) {
  while (!done(stream)) {
    auto message = probe.next(until);
    if (!message) return false;
    if (auto* output = std::get_if<keeper::output_event>(&*message);
        output && output->session == stream.session) {
      if (output->offset != stream.next_offset()) stream.discontinuous = true;
      stream.bytes += output->data;
      if (ack) probe.send(keeper::ack_request{stream.session, stream.next_offset()});
    } else if (auto* exited = std::get_if<keeper::exited_event>(&*message)) {
      if (exited->session == stream.session) stream.exit = *exited;
    } else if (auto* error = std::get_if<keeper::error_reply>(&*message)) {
      stream.error = *error;
      ADD_FAILURE() << "keeper error " << keeper::to_string(error->code) << ": " << error->message;
    }
  }
  return true;
}

/// Sends attach and waits for the attached reply.
session_stream attach(link_probe& probe, const std::string& session, std::uint64_t from) {
  probe.send(keeper::attach_request{session, from});
  session_stream stream{session, from, {}, {}, {}, false};
  auto attached = probe.next_of<keeper::attached_reply>(in(patience));
  EXPECT_TRUE(attached) << "no attached reply for " << session;
  if (attached) {
    EXPECT_EQ(attached->offset, from);
  }
  return stream;
}

/// Opens a session and waits for the opened reply.
void open_session(link_probe& probe, keeper::open_request request) {
  const auto session = request.session;
  probe.send(std::move(request));
  auto opened = probe.next_of<keeper::opened_reply>(in(patience));
  ASSERT_TRUE(opened) << "no opened reply for " << session;
}

/// `GET /containers/{id}/json` as JSON, for fields container_info does not carry.
boost::json::object raw_inspect(const docker_host& host, const std::string& container) {
  CURL* curl = curl_easy_init();
  std::string body;
  const auto url = base_url(host) + "/containers/" + container + "/json";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  if (host.transport == docker_host::kind::unix_socket) {
    curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, host.socket_path.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* data, std::size_t size, std::size_t count, void* out) {
        static_cast<std::string*>(out)->append(data, size * count);
        return size * count;
      });
  const auto result = curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  if (result != CURLE_OK) return {};
  return boost::json::parse(body).as_object();
}

}  // namespace berth::docker::testing
