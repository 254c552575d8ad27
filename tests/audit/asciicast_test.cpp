#include "audit/asciicast.hpp"

#include <sstream>

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace berth::audit {
namespace {

namespace json = boost::json;

constexpr std::int64_t opened_at_s = 1795416762;

/// An event of `session-s1` recorded `after_us` microseconds after the session opened.
events::recorded_event event(std::string type, std::string data, std::int64_t after_us,
                             std::optional<std::string> body = std::nullopt) {
  events::recorded_event out;
  out.stream_id = "session-s1";
  out.type = std::move(type);
  out.data = std::move(data);
  out.body = std::move(body);
  out.recorded_at = std::chrono::system_clock::time_point(
      std::chrono::seconds(opened_at_s) + std::chrono::microseconds(250'000 + after_us));
  return out;
}

events::recorded_event opened(int cols = 100, int rows = 30) {
  return event("SessionOpened",
               R"({"session_id":"s1","workspace_id":"w1","user_id":"u1","keeper_session":"s1",)"
               R"("cols":)" +
                   std::to_string(cols) + R"(,"rows":)" + std::to_string(rows) +
                   R"(,"opened_ms":1795416762250})",
               0);
}

events::recorded_event output(std::int64_t offset, const std::string& bytes,
                              std::int64_t after_us) {
  return event("OutputRecorded",
               R"({"offset":)" + std::to_string(offset) + R"(,"length":)" +
                   std::to_string(bytes.size()) + "}",
               after_us, bytes);
}

std::vector<std::string> lines_of(const std::string& file) {
  std::vector<std::string> lines;
  std::istringstream in(file);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  EXPECT_TRUE(file.empty() || file.back() == '\n');
  return lines;
}

/// Every line as parsed JSON (the test fails on a line that is not JSON).
std::vector<json::value> parsed_lines(const std::string& file) {
  std::vector<json::value> out;
  for (const auto& line : lines_of(file)) {
    boost::system::error_code failed;
    out.push_back(json::parse(line, failed));
    EXPECT_FALSE(failed) << line;
  }
  return out;
}

/// The `o` data of the file, concatenated.
std::string output_text(const std::string& file) {
  std::string text;
  const auto lines = parsed_lines(file);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto& line = lines[i].as_array();
    if (line.at(1).as_string() == "o") text += std::string_view(line.at(2).as_string());
  }
  return text;
}

TEST(asciicast, writes_a_v2_header_and_times_since_the_first_event) {
  const auto file =
      render_asciicast({opened(), output(0, "hello ", 1'500), output(6, "world\r\n", 2'000'000)},
                       {asciicast_version::v2, false, "build ☃"});
  const auto lines = lines_of(file);
  ASSERT_EQ(lines.size(), 3u) << file;
  EXPECT_EQ(lines[0], R"({"version":2,"width":100,"height":30,"timestamp":1795416762,)"
                      R"("env":{"TERM":"xterm-256color","SHELL":"/bin/bash"},"title":"build ☃"})");
  EXPECT_EQ(lines[1], R"([0.001500, "o", "hello "])");
  EXPECT_EQ(lines[2], R"([2.000000, "o", "world\r\n"])");
}

TEST(asciicast, writes_v3_with_intervals_and_the_exit_status) {
  const auto file = render_asciicast(
      {opened(), output(0, "a", 100'000), output(1, "b", 350'000),
       event("SessionResized", R"({"cols":120,"rows":40})", 1'350'000),
       event("SessionClosed", R"({"reason":"exited","exit_status":3,"signaled":false})",
             1'400'000)},
      {asciicast_version::v3, false, ""});
  const auto lines = lines_of(file);
  ASSERT_EQ(lines.size(), 5u) << file;
  EXPECT_EQ(lines[0], R"({"version":3,"term":{"cols":100,"rows":30,"type":"xterm-256color"},)"
                      R"("timestamp":1795416762})");
  EXPECT_EQ(lines[1], R"([0.100000, "o", "a"])");
  EXPECT_EQ(lines[2], R"([0.250000, "o", "b"])");
  EXPECT_EQ(lines[3], R"([1.000000, "r", "120x40"])");
  EXPECT_EQ(lines[4], R"([0.050000, "x", "3"])");
}

TEST(asciicast, writes_no_exit_event_unless_the_shell_exited) {
  for (const auto* closed : {R"({"reason":"closed_by_user","exit_status":null})",
                             R"({"reason":"exited","exit_status":null})"}) {
    const auto file = render_asciicast({opened(), event("SessionClosed", closed, 10)},
                                       {asciicast_version::v3, false, ""});
    EXPECT_EQ(lines_of(file).size(), 1u) << file;
  }
  const auto killed = render_asciicast(
      {opened(),
       event("SessionClosed", R"({"reason":"exited","exit_status":9,"signaled":true})", 10)},
      {asciicast_version::v3, false, ""});
  EXPECT_EQ(lines_of(killed).at(1), R"([0.000010, "x", "137"])");
  const auto v2 = render_asciicast(
      {opened(), event("SessionClosed", R"({"reason":"exited","exit_status":0})", 10)}, {});
  EXPECT_EQ(lines_of(v2).size(), 1u) << v2;
}

TEST(asciicast, emits_a_character_split_across_two_events_whole_in_the_later_line) {
  const auto file =
      render_asciicast({opened(), output(0, "snow\xe2\x98", 10), output(6, "\x83man", 20),
                        output(10, "\xf0", 30), output(11, "\x9f\x9a\x80", 40)},
                       {});
  const auto lines = parsed_lines(file);
  ASSERT_EQ(lines.size(), 4u) << file;  // the lone first byte of the rocket makes no line
  EXPECT_EQ(lines[1].as_array().at(2).as_string(), "snow");
  EXPECT_EQ(lines[2].as_array().at(2).as_string(), "☃man");
  EXPECT_EQ(lines[3].as_array().at(2).as_string(), "🚀");
  EXPECT_DOUBLE_EQ(lines[3].as_array().at(0).as_double(), 0.00004);
}

TEST(asciicast, replaces_invalid_bytes_and_an_unfinished_last_character_with_fffd) {
  const auto file = render_asciicast({opened(),
                                      output(0,
                                             "a\xff"
                                             "b\xc3",
                                             10),
                                      output(4, "(", 20), output(5, "end\xe2\x98", 30)},
                                     {});
  EXPECT_EQ(output_text(file),
            "a\xef\xbf\xbd"
            "b\xef\xbf\xbd"
            "(end\xef\xbf\xbd");
  EXPECT_EQ(lines_of(file).back(), "[0.000030, \"o\", \"\xef\xbf\xbd\"]");
}

TEST(asciicast, escapes_control_characters_as_json_requires) {
  const std::string bytes = "\x1b[31mred\x1b[0m\r\n\t\"quoted\" back\\slash \x07\x7f\x01\x08\x0c";
  const auto file = render_asciicast({opened(), output(0, bytes, 10)}, {});
  EXPECT_EQ(lines_of(file).at(1),
            R"([0.000010, "o", "\u001b[31mred\u001b[0m\r\n\t\"quoted\" back\\slash )"
            R"(\u0007\u007f\u0001\b\f"])");
  EXPECT_EQ(output_text(file), bytes);
  EXPECT_EQ(json_string("ü\n"), "\"ü\\n\"");
}

TEST(asciicast, records_resizes_and_input_only_when_asked) {
  const std::vector<events::recorded_event> stream{
      opened(80, 24), event("InputRecorded", R"({"length":3})", 5, std::string("ls\r")),
      event("SessionResized", R"({"cols":132,"rows":43})", 7),
      event("ClientAttached", R"({"client_id":"c","user_id":"u1","remote_address":""})", 8)};
  const auto without = lines_of(render_asciicast(stream, {}));
  ASSERT_EQ(without.size(), 2u);
  EXPECT_EQ(without[1], R"([0.000007, "r", "132x43"])");
  const auto with = lines_of(render_asciicast(stream, {asciicast_version::v2, true, ""}));
  ASSERT_EQ(with.size(), 3u);
  EXPECT_EQ(with[1], R"([0.000005, "i", "ls\r"])");
  EXPECT_EQ(with[2], R"([0.000007, "r", "132x43"])");
}

TEST(asciicast, renders_an_empty_session_as_its_header_alone) {
  const auto opened_only = lines_of(render_asciicast({opened(90, 20)}, {}));
  ASSERT_EQ(opened_only.size(), 1u);
  EXPECT_NE(opened_only[0].find(R"("width":90,"height":20)"), std::string::npos);
  const auto nothing = lines_of(render_asciicast({}, {asciicast_version::v3, false, ""}));
  ASSERT_EQ(nothing.size(), 1u);
  EXPECT_EQ(nothing[0], R"({"version":3,"term":{"cols":80,"rows":24,"type":"xterm-256color"}})");
}

TEST(asciicast, renders_each_output_byte_once) {
  // A repeated or overlapping event (never written by Berth, but the log is input) adds only
  // what is new.
  const auto file = render_asciicast(
      {opened(), output(0, "abc", 10), output(0, "abc", 20), output(2, "cde", 30)}, {});
  EXPECT_EQ(output_text(file), "abcde");
}

TEST(asciicast, streams_in_bounded_pieces_and_stops_when_the_reader_is_gone) {
  std::vector<events::recorded_event> stream{opened()};
  const std::string chunk(4096, 'x');
  for (int i = 0; i < 200; ++i)
    stream.push_back(output(i * 4096, chunk, i * 1000));
  std::string streamed;
  std::size_t largest = 0;
  int pieces = 0;
  asciicast_writer writer({}, [&](std::string_view piece) {
    streamed.append(piece);
    largest = std::max(largest, piece.size());
    ++pieces;
    return true;
  });
  for (const auto& each : stream)
    ASSERT_TRUE(writer.add(each));
  ASSERT_TRUE(writer.finish());
  EXPECT_EQ(streamed, render_asciicast(stream, {}));
  EXPECT_GT(pieces, 10);
  EXPECT_LT(largest, asciicast_writer::piece_size + 8192);

  int calls = 0;
  asciicast_writer refused({}, [&](std::string_view) { return ++calls < 2; });
  bool accepted = true;
  for (const auto& each : stream)
    accepted = refused.add(each) && accepted;
  EXPECT_FALSE(accepted);
  EXPECT_FALSE(refused.finish());
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace berth::audit
