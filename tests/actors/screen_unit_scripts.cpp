// The inputs of screen_model_test.cpp as scripts, test by test, for the differential test.
// Left out: the tests of output that reference_screen cannot take (a glyph wider than the
// screen and a C1 control as text followed by an erase crash VTermScreen; a resize that
// scrolls away the rows above the cursor moves its cursor above the screen).

#include <random>

#include "tests/actors/screen_scripts.hpp"

namespace berth::actors {
namespace {

using step = screen_step;

screen_script full_screen_app() {
  screen_script script{
      24, 80, 1000, {step::feed("$ top\r\n\x1b[?1049h\x1b[?1h\x1b[?25l\x1b[H\x1b[2J")}};
  for (int row = 1; row <= 24; ++row)
    script.steps.push_back(step::feed("\x1b[" + std::to_string(row) + ";1H\x1b[3" +
                                      std::to_string(row % 8) + "mrow " + std::to_string(row) +
                                      "\x1b[K\x1b[0m"));
  std::mt19937 random(7);
  std::string redraws;
  while (redraws.size() < 200'000) {
    const auto row = 1 + random() % 23;
    const auto col = 1 + random() % 70;
    redraws += "\x1b[" + std::to_string(row) + ';' + std::to_string(col) + "H\x1b[1;4" +
               std::to_string(random() % 8) + "m" + std::to_string(random()) + "\x1b[0m";
    redraws += "\x1b[24;1H\x1b[7mstatus " + std::to_string(redraws.size()) + "\x1b[K\x1b[0m";
  }
  script.steps.push_back(step::feed(redraws));
  return script;
}

screen_script hostile_input() {
  screen_script script{24, 80, 100, {}};
  for (const char* bytes :
       {"\x1b[99999999999999999999999A\x1b[999999999;999999999H\x1b[99999999999@",
        "\x1b[9999999999L\x1b[9999999999M\x1b[9999999999S\x1b[9999999999T\x1b[999999999b",
        "\x1b[99999999999P\x1b[99999999999X\x1b[?99999999999h\x1b[99999999999999t",
        "\x1b[;;;;;;;;;;;;;;;;;;;;H\x1b[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18m"})
    script.steps.push_back(step::feed(bytes));
  script.steps.push_back(
      step::feed("\x1b[" + std::string(10'000, '9') + "m\x1b[" + std::string(10'000, ';') + "H"));
  script.steps.push_back(step::feed("\x1b]2;" + std::string(100'000, 't') + "\a"));
  script.steps.push_back(step::feed("\x1bP" + std::string(100'000, 'd') + "\x1b\\"));
  std::mt19937 random(42);
  std::string garbage(1 << 20, '\0');
  for (auto& byte : garbage)
    byte = static_cast<char>(random());
  script.steps.push_back(step::feed(garbage));
  script.steps.push_back(
      step::feed("\x1b"
                 "c"));
  script.steps.push_back(step::feed("still alive"));
  for (int round = 0; round < 20; ++round) {
    for (std::size_t i = 0; i < garbage.size(); i += 4096)
      garbage[i] = static_cast<char>(random());
    script.steps.push_back(step::feed(garbage.substr(0, 65536)));
  }
  return script;
}

}  // namespace

std::vector<std::pair<std::string, screen_script>> unit_test_scripts() {
  std::vector<std::pair<std::string, screen_script>> scripts;
  const auto add = [&](std::string name, screen_script script) {
    scripts.emplace_back(std::move(name), std::move(script));
  };
  add("shows_plain_text_and_newlines", {4, 20, 1000, {step::feed("hello\r\nworld  \r\n")}});
  add("completes_a_utf8_character_split_across_two_feeds",
      {2, 10, 1000, {step::feed("a\xc3"), step::feed("\xa9z")}});
  add("holds_back_an_unfinished_sequence_so_snapshots_are_resume_points",
      {2,
       20,
       1000,
       {step::feed("ab\xe6\xbc"), step::feed("\xa2\x1b[3"), step::feed("1mX\x1b]2;ti"),
        step::feed("tle\x1b\\")}});
  add("repeats_the_last_character_and_ignores_a_repeat_with_nothing_before_it",
      {2, 10, 1000, {step::feed("\x1b[b\x1b[5b"), step::feed("x\x1b[3b-\x1b[99999999999b")}});
  add("repeats_a_character_that_was_split_across_feeds",
      {2,
       10,
       1000,
       {step::feed(std::string(5'000, 'x') + "\x1b[H\x1b[2J\xe6\xbc"), step::feed("\xa2\x1b[2b")}});
  add("repeats_after_an_unfinished_osc_itself_so_libvterm_never_does (fresh)",
      {2, 10, 1000, {step::feed("\x1b]\x1b[5b"), step::feed("\x1b]2;title\x1b[5b")}});
  add("repeats_after_an_unfinished_osc_itself_so_libvterm_never_does",
      {2, 10, 1000, {step::feed("a\x1b]2;title\x1b[3b")}});
  add("repeats_itself_when_controls_or_subparameters_are_inside_the_repeat (fresh)",
      {2, 10, 1000, {step::feed("\x1b[\nb\x1b\b[3b\x1b[3:4b\x1b\xbd[4b\x1b,[5b")}});
  add("repeats_itself_when_controls_or_subparameters_are_inside_the_repeat",
      {2, 10, 1000, {step::feed("x\x1b[2\nb-\x1b[1:5b")}});
  add("leaves_libvterm_at_rest_when_it_withholds_a_sequence",
      {3,
       10,
       1000,
       {step::feed("\x1b\xa2\x1b[3b\r[3b"), step::feed("\x1b\xa2\x1b[;;;;;;;;;;;;;;;;;;m\r\n[3b"),
        step::feed("\x1b\xa2\x1b[" + std::string(100'000, '1')), step::feed("\r\n[3b")}});
  add("drops_a_csi_with_more_arguments_than_libvterm_can_hold",
      {2,
       10,
       1000,
       {step::feed(
            "a\x1b[1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1mb\x1b[1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;31mc"),
        step::feed("\x1b[;;;;;;;;;;;;;;;;;;;;\x1b[;;;;;;;;;;;;;;;;;;;;\x18"
                   "d"),
        step::feed("\x1b[" + std::string(100'000, '1'))}});
  add("gives_wide_characters_two_columns", {2, 10, 1000, {step::feed("\xe6\xbc\xa2x")}});
  add("captures_colours_and_attributes_and_renders_them_back",
      {3,
       40,
       1000,
       {step::feed(
            "\x1b[1;31mR\x1b[0;3;4;42mG\x1b[0;38;5;200;48;2;1;2;3mB\x1b[0;7;9;5;95mX\x1b[0m ok"),
        step::feed("\r\n\x1b[4:3mcurly\x1b[0m \x1b[44m  \x1b[K\x1b[0m")}});
  add("reports_the_cursor_position_and_visibility",
      {10, 20, 1000, {step::feed("\x1b[5;7Habc\x1b[?25l")}});
  add("renders_the_alternate_screen_and_returns_to_the_primary_one",
      {5,
       20,
       1000,
       {step::feed("$ ls\r\nfile\r\n$ vim\r\n"),
        step::feed("\x1b[?1049h\x1b[H\x1b[2Jline one\r\n~\r\n~\r\n~\r\n\x1b[7m\"x\" "
                   "1L\x1b[0m\x1b[1;5H"),
        step::feed("\x1b[?1049l")}});
  add("detects_and_renders_input_modes",
      {4,
       20,
       1000,
       {step::feed("\x1b[?2004h\x1b[?1h\x1b[?1002h\x1b[?1006h"),
        step::feed("\x1b[?2004l\x1b[?1l\x1b[?1002l\x1b[?1003h")}});
  add("keeps_sgr_mouse_encoding_requested_before_tracking",
      {4, 20, 1000, {step::feed("\x1b[?1006h")}});
  add("takes_the_title_from_osc_2_and_renders_it", {4, 20, 1000, {step::feed("\x1b]2;hello\a")}});
  add("keeps_content_when_resized",
      {4,
       10,
       1000,
       {step::feed("hello\r\nworld"), step::resize(6, 30), step::feed(" wide enough for thirty"),
        step::resize(0, 100'000)}});
  screen_script scrollback{3, 10, 5, {}};
  for (int i = 0; i < 20; ++i)
    scrollback.steps.push_back(step::feed("line " + std::to_string(i) + "\r\n"));
  add("bounds_scrollback_and_renders_it_before_the_screen", std::move(scrollback));
  add("reproduces_a_full_screen_app_whose_start_is_gone", full_screen_app());
  add("survives_hostile_input_with_bounded_state", hostile_input());
  return scripts;
}

}  // namespace berth::actors
