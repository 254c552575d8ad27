#include "docker/multiplex_deframer.hpp"

#include <algorithm>

namespace berth::docker {

deframe_result multiplex_deframer::feed(std::string_view input) {
  deframe_result result;
  if (failure_) {
    result.failure = failure_;
    return result;
  }
  while (!input.empty()) {
    if (remaining_ > 0) {
      auto take = std::min<std::size_t>(remaining_, input.size());
      result.pieces.push_back({stream_, input.substr(0, take)});
      remaining_ -= static_cast<std::uint32_t>(take);
      input.remove_prefix(take);
      continue;
    }
    auto take = std::min(header_length - header_size_, input.size());
    std::copy_n(input.begin(), take, header_ + header_size_);
    header_size_ += take;
    input.remove_prefix(take);
    if (header_size_ < header_length) break;
    header_size_ = 0;
    if (header_[0] > 2) {
      failure_ = deframe_error::bad_stream_type;
      break;
    }
    if (header_[1] != 0 || header_[2] != 0 || header_[3] != 0) {
      failure_ = deframe_error::bad_padding;
      break;
    }
    stream_ = static_cast<stream_kind>(header_[0]);
    remaining_ = (std::uint32_t{header_[4]} << 24) | (std::uint32_t{header_[5]} << 16) |
                 (std::uint32_t{header_[6]} << 8) | std::uint32_t{header_[7]};
  }
  result.failure = failure_;
  return result;
}

std::string_view to_string(deframe_error failure) {
  switch (failure) {
    case deframe_error::bad_stream_type:
      return "bad stream type in multiplex header";
    case deframe_error::bad_padding:
      return "non-zero padding in multiplex header";
  }
  return "unknown deframe error";
}

}  // namespace berth::docker
