#include "audit/chain_verifier.hpp"

#include <boost/json.hpp>

#include "events/event_store.hpp"

namespace berth::audit {

events::result<chain_verification> verify_chains(events::event_store& store) {
  auto ids = store.stream_ids();
  if (!ids) return tl::unexpected(ids.error());
  chain_verification verification;
  for (const auto& id : *ids) {
    auto report = store.verify_stream(id);
    if (!report) return tl::unexpected(report.error());
    ++verification.streams;
    verification.events += report->events_checked;
    if (!report->ok()) {
      verification.broken.push_back({id, *report->first_broken_version, report->reason});
    }
  }
  return verification;
}

boost::json::object verification_json(const chain_verification& verification) {
  boost::json::array broken;
  for (const auto& link : verification.broken) {
    broken.push_back(boost::json::object{
        {"stream_id", link.stream_id}, {"version", link.version}, {"reason", link.reason}});
  }
  return {{"ok", verification.ok()},
          {"streams", verification.streams},
          {"events", verification.events},
          {"broken", std::move(broken)}};
}

}  // namespace berth::audit
