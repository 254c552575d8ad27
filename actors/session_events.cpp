#include "actors/session_events.hpp"

#include <limits>

#include <boost/json.hpp>

#include "actors/event_fields.hpp"

namespace berth::actors {
namespace {

namespace json = boost::json;
using namespace session_event;

constexpr std::int64_t int_min = std::numeric_limits<int>::min();
constexpr std::int64_t int_max = std::numeric_limits<int>::max();
constexpr std::int64_t offset_max = std::numeric_limits<std::int64_t>::max();

json::object client_json(const std::string& client_id, const std::string& user_id,
                         const std::string& remote_address) {
  return {{"client_id", client_id}, {"user_id", user_id}, {"remote_address", remote_address}};
}

// Field order is part of the stored form: existing rows and their hash chains hold it.
struct encoder {
  encoded_event operator()(const opened& e) const {
    return {"SessionOpened", json::serialize(json::object{{"session_id", e.session_id},
                                                          {"workspace_id", e.workspace_id},
                                                          {"user_id", e.user_id},
                                                          {"keeper_session", e.keeper_session},
                                                          {"cols", e.cols},
                                                          {"rows", e.rows},
                                                          {"opened_ms", e.opened_ms}})};
  }
  encoded_event operator()(const output_recorded& e) const {
    return {"OutputRecorded",
            json::serialize(json::object{{"offset", e.offset}, {"length", e.length}})};
  }
  encoded_event operator()(const input_recorded& e) const {
    return {"InputRecorded", json::serialize(json::object{{"length", e.length}})};
  }
  encoded_event operator()(const resized& e) const {
    return {"SessionResized", json::serialize(json::object{{"cols", e.cols}, {"rows", e.rows}})};
  }
  encoded_event operator()(const client_attached& e) const {
    return {"ClientAttached",
            json::serialize(client_json(e.client_id, e.user_id, e.remote_address))};
  }
  encoded_event operator()(const client_detached& e) const {
    return {"ClientDetached",
            json::serialize(client_json(e.client_id, e.user_id, e.remote_address))};
  }
  encoded_event operator()(const renamed& e) const {
    return {"SessionRenamed", json::serialize(json::object{{"name", e.name}})};
  }
  encoded_event operator()(const closed& e) const {
    json::object data{{"reason", e.reason}};
    if (e.exit_status) {
      data["exit_status"] = *e.exit_status;
      data["signaled"] = e.signaled;
    } else {
      data["exit_status"] = nullptr;
    }
    return {"SessionClosed", json::serialize(data)};
  }
  encoded_event operator()(const keeper_refused& e) const {
    return {"KeeperRefused", json::serialize(json::object{{"reason", e.reason}})};
  }
};

template <class Event>
std::optional<session_event_variant> checked(Event event, const event_fields& fields) {
  if (!fields.ok()) return std::nullopt;
  return session_event_variant(std::move(event));
}

output_recorded output_of(event_fields& fields) {
  output_recorded e;
  e.offset = fields.integer("offset", 0, offset_max);
  e.length = fields.integer("length", 0, offset_max);
  // The end must be an offset too: a stored event never claims bytes past 2^63 - 1.
  if (e.length > offset_max - e.offset) fields.mark_failed();
  return e;
}

closed closed_of(event_fields& fields) {
  closed e{fields.text("reason"), std::nullopt, false};
  if (const auto status = fields.nullable_integer("exit_status", int_min, int_max)) {
    e.exit_status = static_cast<int>(*status);
    e.signaled = fields.boolean("signaled");
  } else if (fields.has("signaled")) {
    e.signaled = fields.boolean("signaled");
  }
  return e;
}

std::optional<std::int64_t> offset_of(const std::string& type, const std::string& data) {
  if (type != "OutputRecorded") return std::nullopt;
  const auto decoded = decode_session_event(type, data);
  if (!decoded) return std::nullopt;
  return std::get<output_recorded>(*decoded).offset;
}

}  // namespace

encoded_event encode(const session_event_variant& event) {
  return std::visit(encoder{}, event);
}

std::optional<session_event_variant> decode_session_event(const std::string& type,
                                                          const std::string& data) {
  const auto object = parse_event_data(data);
  if (!object) return std::nullopt;
  event_fields r(*object);
  if (type == "SessionOpened") {
    opened e{r.text("session_id"),
             r.text("workspace_id"),
             r.text("user_id"),
             r.text("keeper_session"),
             static_cast<int>(r.integer("cols", int_min, int_max)),
             static_cast<int>(r.integer("rows", int_min, int_max)),
             r.integer("opened_ms")};
    return checked(std::move(e), r);
  }
  if (type == "OutputRecorded") return checked(output_of(r), r);
  if (type == "InputRecorded")
    return checked(input_recorded{r.integer("length", 0, offset_max)}, r);
  if (type == "SessionResized") {
    return checked(resized{static_cast<int>(r.integer("cols", int_min, int_max)),
                           static_cast<int>(r.integer("rows", int_min, int_max))},
                   r);
  }
  if (type == "ClientAttached") {
    return checked(
        client_attached{r.text("client_id"), r.text("user_id"), r.text("remote_address")}, r);
  }
  if (type == "ClientDetached") {
    return checked(
        client_detached{r.text("client_id"), r.text("user_id"), r.text("remote_address")}, r);
  }
  if (type == "SessionRenamed") return checked(renamed{r.text("name")}, r);
  if (type == "SessionClosed") return checked(closed_of(r), r);
  if (type == "KeeperRefused") return checked(keeper_refused{r.text("reason")}, r);
  return std::nullopt;
}

bool is_session_event_type(std::string_view type) {
  for (const std::string_view known :
       {"SessionOpened", "OutputRecorded", "InputRecorded", "SessionResized", "ClientAttached",
        "ClientDetached", "SessionRenamed", "SessionClosed", "KeeperRefused"}) {
    if (type == known) return true;
  }
  return false;
}

std::optional<std::int64_t> output_offset_of(const events::new_event& event) {
  return offset_of(event.type, event.data);
}

std::optional<std::int64_t> output_offset_of(const events::recorded_event& event) {
  return offset_of(event.type, event.data);
}

}  // namespace berth::actors
