// The browser UI's files served from memory: content types, the single-page app's routes,
// caching, security headers, and paths that must never reach a file.

#include "http/static_files.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "http/router.hpp"

namespace berth::http {
namespace {

namespace fs = std::filesystem;

std::string header_of(const response& out, const std::string& name) {
  for (const auto& [key, value] : out.headers) {
    if (key == name) return value;
  }
  return {};
}

request get(const std::string& target, const std::string& method = "GET") {
  request req;
  req.method = method;
  req.target = target;
  return req;
}

class static_files_test : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ("berth-web-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "assets");
    write("index.html", "<!doctype html><title>Berth</title>");
    write("favicon.svg", "<svg/>");
    write("assets/app-3f2a.js", "console.log(1)");
    write("assets/app-3f2a.css", "body{}");
    write("assets/player.wasm", std::string("\0asm", 4));
    write("assets/font.woff2", "wOF2");
    write("robots.txt", "User-agent: *");
  }
  void TearDown() override { fs::remove_all(root_); }

  void write(const std::string& relative, const std::string& content) {
    std::ofstream(root_ / relative, std::ios::binary) << content;
  }

  static_files load() {
    auto loaded = static_files::load(root_.string());
    EXPECT_TRUE(loaded) << (loaded ? "" : loaded.error());
    return loaded ? std::move(*loaded) : static_files::missing();
  }

  fs::path root_;
};

TEST_F(static_files_test, serves_each_file_with_its_content_type) {
  const auto files = load();
  EXPECT_EQ(files.file_count(), 7u);
  const std::pair<const char*, const char*> expected[] = {
      {"/index.html", "text/html; charset=utf-8"},
      {"/favicon.svg", "image/svg+xml"},
      {"/assets/app-3f2a.js", "text/javascript; charset=utf-8"},
      {"/assets/app-3f2a.css", "text/css; charset=utf-8"},
      {"/assets/player.wasm", "application/wasm"},
      {"/assets/font.woff2", "font/woff2"},
      {"/robots.txt", "text/plain; charset=utf-8"},
  };
  for (const auto& [path, type] : expected) {
    const auto out = files.serve(get(path));
    EXPECT_EQ(out.status, 200) << path;
    EXPECT_EQ(out.content_type, type) << path;
    EXPECT_EQ(header_of(out, "X-Content-Type-Options"), "nosniff") << path;
  }
  EXPECT_EQ(files.serve(get("/assets/app-3f2a.js")).body, "console.log(1)");
  EXPECT_EQ(files.serve(get("/assets/player.wasm")).body.size(), 4u);
  EXPECT_EQ(content_type_of("x.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_of("x.map"), "application/json");
  EXPECT_EQ(content_type_of("x.png"), "image/png");
  EXPECT_EQ(content_type_of("x.ico"), "image/x-icon");
  EXPECT_EQ(content_type_of("manifest.json"), "application/json");
  EXPECT_EQ(content_type_of("LICENSE"), "application/octet-stream");
  EXPECT_EQ(content_type_of("a.d/LICENSE"), "application/octet-stream");
}

TEST_F(static_files_test, answers_index_html_for_the_single_page_app_routes) {
  const auto files = load();
  for (const char* page :
       {"/", "/login", "/settings", "/admin", "/audit", "/audit/sessions",
        "/audit/sessions/0193-abc/play", "/w/0193", "/w/0193/s/0194", "/login?next=%2Fw%2F1"}) {
    const auto out = files.serve(get(page));
    EXPECT_EQ(out.status, 200) << page;
    EXPECT_EQ(out.body, "<!doctype html><title>Berth</title>") << page;
    EXPECT_EQ(header_of(out, "Cache-Control"), "no-cache") << page;
  }
}

TEST_F(static_files_test, answers_404_for_other_paths_and_every_traversal_attempt) {
  const auto files = load();
  for (const char* path : {"/nope",
                           "/assets/missing.js",
                           "/loginx",
                           "/login/",
                           "/w",
                           "/w/",
                           "/settings/x",
                           "/../etc/passwd",
                           "/assets/../index.html",
                           "/%2e%2e/etc/passwd",
                           "/assets/%2e%2e/index.html",
                           "/assets%2fapp-3f2a.js",
                           "/assets%2Fapp-3f2a.js",
                           "/assets%5capp-3f2a.js",
                           "/assets\\app-3f2a.js",
                           "/index.html%00",
                           "/favicon.svg%",
                           "/favicon.svg%2",
                           "/favicon.svg%zz",
                           "//favicon.svg",
                           "/./favicon.svg",
                           "/w/../etc/passwd"}) {
    const auto out = files.serve(get(path));
    EXPECT_EQ(out.status, 404) << path;
    EXPECT_EQ(out.content_type, "text/plain; charset=utf-8") << path;
    EXPECT_EQ(out.body.find("Berth</title>"), std::string::npos) << path;
  }
  EXPECT_EQ(files.serve(get(std::string("/index.html\0", 12))).status, 404);
  // Escapes are decoded, so an encoded name finds its file.
  EXPECT_EQ(files.serve(get("/favicon%2esvg")).status, 200);
}

TEST_F(static_files_test, marks_hashed_assets_immutable_and_revalidates_the_rest) {
  const auto files = load();
  EXPECT_EQ(header_of(files.serve(get("/assets/app-3f2a.js")), "Cache-Control"),
            "public, max-age=31536000, immutable");
  EXPECT_EQ(header_of(files.serve(get("/favicon.svg")), "Cache-Control"), "no-cache");
  EXPECT_EQ(header_of(files.serve(get("/index.html")), "Cache-Control"), "no-cache");
}

TEST_F(static_files_test, answers_304_when_the_etag_matches) {
  const auto files = load();
  const auto first = files.serve(get("/assets/app-3f2a.js"));
  const auto etag = header_of(first, "ETag");
  ASSERT_EQ(etag.size(), 34u);
  EXPECT_EQ(etag.front(), '"');
  EXPECT_NE(etag, header_of(files.serve(get("/favicon.svg")), "ETag"));
  for (const auto& condition : {etag, "W/" + etag, "\"other\", " + etag, std::string("*")}) {
    auto req = get("/assets/app-3f2a.js");
    req.headers.emplace_back("if-none-match", condition);
    const auto again = files.serve(req);
    EXPECT_EQ(again.status, 304) << condition;
    EXPECT_TRUE(again.body.empty());
    EXPECT_EQ(header_of(again, "ETag"), etag);
  }
  auto stale = get("/assets/app-3f2a.js");
  stale.headers.emplace_back("if-none-match", "\"other\"");
  EXPECT_EQ(files.serve(stale).status, 200);
  auto page = get("/w/1");
  page.headers.emplace_back("if-none-match", header_of(files.serve(get("/")), "ETag"));
  EXPECT_EQ(files.serve(page).status, 304);
}

TEST_F(static_files_test, answers_head_like_get_and_refuses_other_methods) {
  const auto files = load();
  const auto head = files.serve(get("/assets/app-3f2a.css", "HEAD"));
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.content_type, "text/css; charset=utf-8");
  EXPECT_EQ(header_of(head, "ETag"), header_of(files.serve(get("/assets/app-3f2a.css")), "ETag"));
  EXPECT_EQ(files.serve(get("/", "HEAD")).status, 200);
  const auto post = files.serve(get("/login", "POST"));
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(header_of(post, "Allow"), "GET, HEAD");
}

TEST_F(static_files_test, sends_security_headers_with_html) {
  const auto files = load();
  for (const char* path : {"/", "/index.html", "/w/1"}) {
    const auto out = files.serve(get(path));
    EXPECT_EQ(header_of(out, "Content-Security-Policy"),
              "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' "
              "'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src "
              "'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
              "frame-ancestors 'none'")
        << path;
    EXPECT_EQ(header_of(out, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(header_of(out, "Referrer-Policy"), "same-origin");
    EXPECT_EQ(header_of(out, "X-Frame-Options"), "DENY");
  }
  EXPECT_EQ(header_of(files.serve(get("/favicon.svg")), "X-Frame-Options"), "");
}

TEST_F(static_files_test, answers_503_on_pages_when_the_ui_is_not_built) {
  const auto files = static_files::missing();
  EXPECT_FALSE(files.present());
  for (const char* page : {"/", "/login", "/w/1/s/2"}) {
    const auto out = files.serve(get(page));
    EXPECT_EQ(out.status, 503) << page;
    EXPECT_NE(out.body.find("./run.sh"), std::string::npos);
  }
  EXPECT_EQ(files.serve(get("/assets/app.js")).status, 404);
  EXPECT_FALSE(static_files::load((root_ / "absent").string()));
}

TEST_F(static_files_test, refuses_a_symbolic_link_leading_outside_the_root) {
  const auto outside = root_.string() + "-outside";
  std::ofstream(outside) << "secret";
  fs::create_symlink(outside, root_ / "assets" / "leak.js");
  auto loaded = static_files::load(root_.string());
  fs::remove(outside);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().find("leak.js"), std::string::npos) << loaded.error();
}

TEST_F(static_files_test, serves_a_symbolic_link_within_the_root) {
  fs::create_symlink(root_ / "favicon.svg", root_ / "icon.svg");
  const auto files = load();
  EXPECT_EQ(files.serve(get("/icon.svg")).body, "<svg/>");
}

TEST_F(static_files_test, refuses_a_web_root_larger_than_the_cap) {
  // Sparse: the size is checked before anything is read.
  write("huge.bin", "");
  fs::resize_file(root_ / "huge.bin", static_files::max_total_bytes + 1);
  auto loaded = static_files::load(root_.string());
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().find("64 MiB"), std::string::npos) << loaded.error();
}

TEST(router, hands_paths_outside_the_api_to_the_fallback) {
  router routes;
  routes.add("GET", "/api/me", [](const request&, const route_params&) { return response{}; });
  routes.set_fallback([](const request&, const route_params&) {
    response out;
    out.status = 299;
    return out;
  });
  EXPECT_EQ(routes.dispatch(get("/api/me")).status, 200);
  EXPECT_EQ(routes.dispatch(get("/w/1")).status, 299);
  EXPECT_EQ(routes.dispatch(get("/api/nope")).status, 404);
  EXPECT_EQ(routes.dispatch(get("/api")).status, 404);
  EXPECT_EQ(routes.dispatch(get("/api/me", "DELETE")).status, 405);
}

}  // namespace
}  // namespace berth::http
