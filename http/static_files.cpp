#include "http/static_files.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "auth/digest.hpp"
#include "auth/encoding.hpp"

namespace berth::http {
namespace {

namespace fs = std::filesystem;

// Hashed build output never changes under its name; everything else may change on the next
// build, so browsers revalidate it (cheap: 304 by ETag).
constexpr std::string_view immutable_cache = "public, max-age=31536000, immutable";
constexpr std::string_view revalidate_cache = "no-cache";
// The UI's own scripts, styles and workers only; inline styles for xterm.js, WebAssembly
// compilation for the player, no framing (clickjacking) and no plugins.
constexpr std::string_view content_security_policy =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' "
    "'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

bool is_html(std::string_view content_type) {
  return content_type.starts_with("text/html");
}

bool is_within(const fs::path& path, const fs::path& root) {
  const auto relative = path.lexically_relative(root);
  return !relative.empty() && *relative.begin() != "..";
}

response plain_text(int status, std::string text) {
  response out;
  out.status = status;
  out.content_type = "text/plain; charset=utf-8";
  out.body = std::move(text);
  out.headers.emplace_back("Cache-Control", std::string(revalidate_cache));
  out.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return out;
}

void add_html_headers(response& out) {
  out.headers.emplace_back("Content-Security-Policy", std::string(content_security_policy));
  out.headers.emplace_back("Referrer-Policy", "same-origin");
  out.headers.emplace_back("X-Frame-Options", "DENY");
}

/// True when `if_none_match` (RFC 9110 section 13.1.2, weak comparison) lists `etag` or is `*`.
bool matches_etag(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    const auto comma = std::min(if_none_match.find(','), if_none_match.size());
    auto candidate = if_none_match.substr(0, comma);
    if_none_match.remove_prefix(std::min(comma + 1, if_none_match.size()));
    while (!candidate.empty() && (candidate.front() == ' ' || candidate.front() == '\t'))
      candidate.remove_prefix(1);
    while (!candidate.empty() && (candidate.back() == ' ' || candidate.back() == '\t'))
      candidate.remove_suffix(1);
    if (candidate.starts_with("W/")) candidate.remove_prefix(2);
    if (candidate == "*" || candidate == etag) return true;
  }
  return false;
}

response file_response(const request& req, std::string_view path, const static_file& file) {
  response out;
  out.content_type = file.content_type;
  out.headers.emplace_back("ETag", file.etag);
  out.headers.emplace_back(
      "Cache-Control",
      std::string(path.starts_with("/assets/") ? immutable_cache : revalidate_cache));
  out.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (is_html(file.content_type)) add_html_headers(out);
  if (matches_etag(req.header("if-none-match"), file.etag)) {
    out.status = 304;
    return out;
  }
  out.body = file.body;
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string content_type_of(std::string_view file_name) {
  static const std::map<std::string_view, std::string_view> by_extension{
      {"html", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"ico", "image/x-icon"},
      {"woff2", "font/woff2"},
      {"wasm", "application/wasm"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"txt", "text/plain; charset=utf-8"},
  };
  const auto dot = file_name.rfind('.');
  const auto slash = file_name.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return "application/octet-stream";
  }
  const auto found = by_extension.find(file_name.substr(dot + 1));
  return std::string(found == by_extension.end() ? "application/octet-stream" : found->second);
}

std::optional<std::string> decoded_file_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  std::string decoded;
  decoded.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '%') {
      if (i + 2 >= path.size()) return std::nullopt;
      const int high = hex_value(path[i + 1]), low = hex_value(path[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      c = static_cast<char>(high * 16 + low);
      // An encoded separator would let one segment pose as two.
      if (c == '/' || c == '\\') return std::nullopt;
      i += 2;
    } else if (c == '\\') {
      return std::nullopt;
    }
    if (c == '\0') return std::nullopt;
    decoded.push_back(c);
  }
  if (decoded == "/") return decoded;
  for (std::size_t start = 1; start <= decoded.size();) {
    const auto end = std::min(decoded.find('/', start), decoded.size());
    const auto segment = std::string_view(decoded).substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return std::nullopt;
    start = end + 1;
  }
  return decoded;
}

bool is_page_route(std::string_view path) {
  for (std::string_view page : {"/", "/login", "/settings", "/admin", "/audit"}) {
    if (path == page) return true;
  }
  return path.starts_with("/audit/") || (path.starts_with("/w/") && path.size() > 3);
}

tl::expected<static_files, std::string> static_files::load(const std::string& root_text) {
  std::error_code failed;
  const auto root = fs::canonical(root_text, failed);
  if (failed) return tl::unexpected("cannot open web root " + root_text + ": " + failed.message());
  if (!fs::is_directory(root, failed)) {
    return tl::unexpected("web root " + root_text + " is not a folder");
  }
  static_files loaded;
  loaded.present_ = true;
  fs::recursive_directory_iterator walk(root, fs::directory_options::none, failed);
  for (; !failed && walk != fs::recursive_directory_iterator(); walk.increment(failed)) {
    const auto& entry = *walk;
    auto target = entry.path();
    if (entry.is_symlink(failed)) {
      target = fs::canonical(entry.path(), failed);
      if (failed) {
        return tl::unexpected("web root: " + entry.path().string() +
                              " is a broken symbolic link: " + failed.message());
      }
      if (!is_within(target, root)) {
        return tl::unexpected("web root: " + entry.path().string() +
                              " is a symbolic link leading outside " + root.string());
      }
    }
    // Directories behind links are not followed (a link cannot make a loop); their files are
    // reachable under their real paths.
    if (!fs::is_regular_file(target, failed)) continue;
    const auto size = fs::file_size(target, failed);
    if (failed) break;
    if (loaded.total_bytes_ + size > max_total_bytes) {
      return tl::unexpected("web root " + root.string() + " holds more than " +
                            std::to_string(max_total_bytes / (1024 * 1024)) +
                            " MiB: is it the built UI (web/dist)?");
    }
    std::ifstream in(target, std::ios::binary);
    std::string body{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (!in && !in.eof()) return tl::unexpected("cannot read " + target.string());
    const auto url_path = "/" + entry.path().lexically_relative(root).generic_string();
    loaded.total_bytes_ += body.size();
    static_file file{std::move(body), content_type_of(url_path), {}};
    file.etag = "\"" + auth::hex_encode(auth::sha256(file.body)).substr(0, 32) + "\"";
    loaded.files_.insert_or_assign(url_path, std::move(file));
  }
  if (failed)
    return tl::unexpected("cannot read web root " + root.string() + ": " + failed.message());
  return loaded;
}

static_files static_files::missing() {
  return static_files{};
}

response static_files::serve(const request& req) const {
  if (req.method != "GET" && req.method != "HEAD") {
    auto refused = plain_text(405, "Only GET and HEAD are served here.\n");
    refused.headers.emplace_back("Allow", "GET, HEAD");
    return refused;
  }
  const auto path = decoded_file_path(req.path());
  if (!path) return plain_text(404, "Not found.\n");
  if (const auto found = files_.find(*path); found != files_.end()) {
    return file_response(req, *path, found->second);
  }
  if (!is_page_route(*path)) return plain_text(404, "Not found.\n");
  const auto index = files_.find(std::string_view("/index.html"));
  if (index == files_.end()) {
    return plain_text(503,
                      "The browser UI is not built: run ./run.sh (it builds web/dist), then "
                      "reload this page.\n");
  }
  return file_response(req, "/index.html", index->second);
}

}  // namespace berth::http
