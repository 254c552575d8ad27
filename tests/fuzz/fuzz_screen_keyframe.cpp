// Fuzzes the stored form of screen keyframes (`es_snapshots.state` of session streams): any
// input is refused or accepted without a crash, and an accepted one has sane dimensions and
// offsets and encodes back to the same bytes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "actors/screen_keyframe.hpp"
#include "actors/screen_model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace berth::actors;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto keyframe = decode_keyframe(input);
  if (!keyframe) return 0;
  if (keyframe->offset < 0 || keyframe->version < 1 || keyframe->rows < 1 || keyframe->cols < 1 ||
      keyframe->rows > screen_model::max_dimension || keyframe->cols > screen_model::max_dimension)
    std::abort();
  if (encode_keyframe(*keyframe) != input) std::abort();
  return 0;
}
