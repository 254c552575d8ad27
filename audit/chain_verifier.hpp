#pragma once

// `berth audit verify` and GET /api/audit/verify: every stream's hash chain recomputed from
// the stored rows (events/hash_chain.hpp), each broken stream named with its first bad link.

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "events/error.hpp"

namespace berth::events {
class event_store;
}  // namespace berth::events

namespace berth::audit {

/// The first link of one stream whose stored hash, link or head does not match.
struct broken_link {
  std::string stream_id;
  std::int64_t version = 0;
  std::string reason;
};

/// The outcome of walking every stream.
struct chain_verification {
  std::int64_t streams = 0;
  std::int64_t events = 0;
  std::vector<broken_link> broken;  ///< one per broken stream, in stream id order
  bool ok() const { return broken.empty(); }
};

/// Verifies every stream, in stream id order. Blocking: one query per stream.
events::result<chain_verification> verify_chains(events::event_store& store);

/// `{"ok","streams","events","broken":[{"stream_id","version","reason"}]}` (docs/api.md).
boost::json::object verification_json(const chain_verification& verification);

}  // namespace berth::audit
