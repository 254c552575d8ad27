#include "docker/export_archive.hpp"

#include <zlib.h>

#include <array>
#include <cassert>
#include <new>

namespace berth::docker {
namespace {

/// Compressed bytes are handed on in pieces of this size: with zlib's own state (about
/// 256 KiB at the default level) it is all the memory an export holds, whatever the archive.
constexpr std::size_t output_piece = 64 * 1024;

/// 15 selects zlib's largest window (32 KiB); +16 asks for a gzip header and trailer instead
/// of the zlib format, so `gunzip` and `tar -xz` read the result.
constexpr int gzip_window_bits = 15 + 16;
constexpr int default_memory_level = 8;

/// A deflate stream writing gzip into a callback in `output_piece` pieces.
class gzip_writer {
 public:
  explicit gzip_writer(const std::function<bool(std::string_view)>& write) : write_(write) {
    [[maybe_unused]] const int status =
        deflateInit2(&stream_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, gzip_window_bits,
                     default_memory_level, Z_DEFAULT_STRATEGY);
    // Only memory can run out here; other statuses mean wrong constants or a mismatched zlib.
    if (status == Z_MEM_ERROR) throw std::bad_alloc();
    assert(status == Z_OK);
    reset_output();
  }
  ~gzip_writer() { deflateEnd(&stream_); }
  gzip_writer(const gzip_writer&) = delete;
  gzip_writer& operator=(const gzip_writer&) = delete;

  /// Compresses the next tar bytes; false once `write` refused a piece.
  bool add(std::string_view input) { return deflate_all(input, Z_NO_FLUSH); }

  /// Flushes what zlib still holds and writes the gzip trailer; false when `write` refused.
  bool finish() { return deflate_all({}, Z_FINISH) && hand_on(); }

 private:
  bool deflate_all(std::string_view input, int flush) {
    // zlib takes no const input, but deflate only reads it.
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    stream_.avail_in = static_cast<uInt>(input.size());
    while (true) {
      [[maybe_unused]] const int status = deflate(&stream_, flush);
      // Z_STREAM_ERROR would mean a corrupted stream state: a bug here, not bad input.
      assert(status != Z_STREAM_ERROR);
      if (stream_.avail_out > 0) {
        // Room left over means all input was taken and everything `flush` asks for is out.
        assert(flush != Z_FINISH || status == Z_STREAM_END);
        return true;
      }
      if (!hand_on()) return false;
    }
  }

  /// Passes the compressed bytes gathered so far to `write`.
  bool hand_on() {
    const std::size_t filled = output_.size() - stream_.avail_out;
    reset_output();
    return filled == 0 || write_(std::string_view(output_.data(), filled));
  }

  void reset_output() {
    stream_.next_out = reinterpret_cast<Bytef*>(output_.data());
    stream_.avail_out = static_cast<uInt>(output_.size());
  }

  const std::function<bool(std::string_view)>& write_;
  z_stream stream_{};
  std::array<char, output_piece> output_{};
};

}  // namespace

tl::expected<void, error> export_tar_gz(client& docker, std::string_view container_id,
                                        std::string_view path,
                                        const std::function<bool(std::string_view)>& write) {
  const error refused{error_code::cancelled, 0, "the export's receiver stopped taking data"};
  gzip_writer gzip(write);
  bool receiver_refused = false;
  auto downloaded = docker.download_archive(container_id, path, [&](std::string_view tar) {
    receiver_refused = !gzip.add(tar);
    return !receiver_refused;
  });
  if (receiver_refused) return tl::unexpected(refused);
  if (!downloaded) return tl::unexpected(downloaded.error());
  if (!gzip.finish()) return tl::unexpected(refused);
  return {};
}

}  // namespace berth::docker
