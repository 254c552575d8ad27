#include "http/terminal_socket.hpp"

#include <gtest/gtest.h>

namespace berth::http {
namespace {

using terminal::protocol_error_code;

TEST(terminal_close_codes, follow_rfc_6455_and_only_errors_that_end_the_stream_close) {
  EXPECT_EQ(close_code_after(protocol_error_code::unknown_type), std::nullopt);
  EXPECT_EQ(close_code_after(protocol_error_code::malformed), std::nullopt);
  EXPECT_EQ(close_code_after(protocol_error_code::frame_too_large), 1009);
  EXPECT_EQ(close_code_after(protocol_error_code::rate_limited), 1008);
  EXPECT_EQ(close_code_after(protocol_error_code::invalid_ack), 1008);
  EXPECT_EQ(close_code_after(protocol_error_code::offset_ahead), 1008);
  EXPECT_EQ(close_code_after(protocol_error_code::unknown_session), 4404);
  EXPECT_EQ(close_code_after(protocol_error_code::too_many_clients), 1008);
}

}  // namespace
}  // namespace berth::http
