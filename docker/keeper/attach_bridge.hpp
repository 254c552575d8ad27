#pragma once
// `keeper attach`: the far end of Berth's non-TTY docker exec. Copies stdin to the keeper socket
// and the socket to stdout, byte for byte; it never parses frames, so Berth speaks the protocol
// end to end.

#include "docker/keeper/options.hpp"

namespace berth::keeper {

/// Bridges until stdin ends (after passing on what it sent) or the keeper closes the connection
/// (after writing out what it sent); returns the process exit code.
int run_attach_bridge(const attach_options& options);

}  // namespace berth::keeper
