#pragma once

// long_recovery of `bench sessions`: how long a session that printed a lot takes to answer
// after a kill -9, beside an empty session recovered by the same restart (the baseline).

#include <boost/json/object.hpp>

#include "bench/session_run.hpp"

namespace berth::bench {

/// One session prints `megabytes` MiB of 100-column lines (read and acked by a client, so
/// it is recorded), another prints nothing; the server is killed with SIGKILL and started
/// again; the time from the restart until each answers a typed byte, and their ratio.
probe_result<boost::json::object> measure_long_recovery(sessions_bench_run& run,
                                                        std::size_t megabytes);

}  // namespace berth::bench
