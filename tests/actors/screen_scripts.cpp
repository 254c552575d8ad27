#include "tests/actors/screen_scripts.hpp"

#include <array>
#include <random>

namespace berth::actors {
namespace {

using step = screen_step;

// A parameter as applications send them, and as hostile output does.
std::string parameter(std::mt19937& random) {
  switch (random() % 8) {
    case 0:
      return "";
    case 1:
      return "0";
    case 2:
      return std::to_string(100 + random() % 1000);
    case 3:
      return "99999999999";
    default:
      return std::to_string(1 + random() % 12);
  }
}

std::string text(std::mt19937& random) {
  std::string word(1 + random() % 12, ' ');
  for (auto& byte : word)
    byte = static_cast<char>(0x20 + random() % 95);
  return word;
}

std::string unicode(std::mt19937& random) {
  // Two-byte, wide, combining (alone and after a character), emoji, half- and full-width
  // forms, broken, overlong and impossible UTF-8.
  static constexpr std::array<const char*, 17> pieces = {
      "\xc3\xa9",     "\xe2\x82\xac",
      "\xe6\xbc\xa2", "\xe5\xad\x97",
      "e\xcc\x81",    "\xcc\x88",
      "\xe2\x83\x90", "\xf0\x9f\x98\x80",
      "\xef\xbd\xb1", "\xef\xbc\xa1",
      "\xe6\xbc",     "\xc0\xaf",
      "\xff",         "\xe6\xbc\xa2\xcc\x81\xcc\x88",
      "\xf0\x9f",     "a\xcc\x81\xcc\x82\xcc\x83\xcc\x84\xcc\x85\xcc\x86\xcc\x87",
      "\xed\xa0\x80"};
  std::string out;
  for (unsigned n = 1 + random() % 6; n > 0; --n)
    out += pieces[random() % pieces.size()];
  return out;
}

std::string csi(std::mt19937& random, const char* finals) {
  const std::string options(finals);
  std::string out = "\x1b[" + parameter(random);
  if (random() % 3 == 0) out += ';' + parameter(random);
  return out + options[random() % options.size()];
}

std::string private_mode(std::mt19937& random) {
  static constexpr std::array<int, 21> modes = {1,    5,    6,    7,    12,   25,   47,
                                                69,   1000, 1002, 1003, 1004, 1005, 1006,
                                                1015, 1047, 1048, 1049, 2004, 1049, 1049};
  return "\x1b[?" + std::to_string(modes[random() % modes.size()]) + (random() % 2 ? 'h' : 'l');
}

std::string sgr(std::mt19937& random) {
  static constexpr std::array<const char*, 24> attributes = {
      "0",      "1",        "3",          "4",  "4:2", "4:3",     "5",          "7",
      "9",      "22",       "23",         "24", "25",  "27",      "29",         "31",
      "38;5;1", "38;5;200", "38;2;1;2;3", "39", "44",  "48;5;17", "48;2;9;8;7", "49"};
  std::string out = "\x1b[";
  for (unsigned n = 1 + random() % 4; n > 0; --n)
    out += std::string(attributes[random() % attributes.size()]) + (n > 1 ? ";" : "");
  if (random() % 4 == 0) out += ';' + std::to_string(90 + random() % 18);
  return out + 'm';
}

std::string escape(std::mt19937& random) {
  static constexpr std::array<const char*, 20> sequences = {
      "\x1b"
      "7",
      "\x1b"
      "8",
      "\x1bM",
      "\x1b"
      "D",
      "\x1b"
      "E",
      "\x1b"
      "c",
      "\x1b(0",
      "\x1b(B",
      "\x1b)0",
      "\x1b#8",
      "\x1b#6",
      "\x1b#3",
      "\x1b#4",
      "\x1b#5",
      "\x1bH",
      "\x1b=",
      "\x1b>",
      "\x1b[!p",
      "\x1b[6n",
      "\x1b[c"};
  return sequences[random() % sequences.size()];
}

std::string token(std::mt19937& random) {
  switch (random() % 32) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
      return text(random);
    case 5:
    case 6:
      return "\r\n";
    case 7: {
      static constexpr std::array<const char*, 10> controls = {
          "\r", "\n", "\b", "\t", "\x0b", "\x0c", "\a", "\x0e", "\x0f", "\x00"};
      const std::string control = controls[random() % controls.size()];
      return control.empty() ? std::string(1, '\0') : control;
    }
    case 8:
    case 9:
      return unicode(random);
    case 10:
    case 11:
      return csi(random, "ABCDEFGHIZ`adefHH");
    case 12:
    case 13:
      return csi(random, "JKXK@PLMST");
    case 14:
      return random() % 2 ? "\x1b[?" + parameter(random) + (random() % 2 ? 'J' : 'K')
                          : "\x1b[" + parameter(random) + (random() % 2 ? "\"q" : "g");
    case 15:
      return "\x1b[" + parameter(random) + ';' + parameter(random) + 'r';
    case 16:
      return random() % 2 ? private_mode(random)
                          : "\x1b[" + parameter(random) + ';' + parameter(random) + 's';
    case 17:
    case 18:
      return private_mode(random);
    case 19:
      return random() % 2 ? "\x1b[4h" : random() % 2 ? "\x1b[4l" : "\x1b[20h";
    case 20:
    case 21:
      return sgr(random);
    case 22:
      return std::string("\x1b]") + (random() % 2 ? "0;" : "2;") + text(random) +
             (random() % 2 ? "\a" : "\x1b\\");
    case 23:
      return "\x1b[" + parameter(random) + 'b';
    case 24:
    case 25:
      return escape(random);
    case 26: {
      std::string bytes(1 + random() % 8, ' ');
      for (auto& byte : bytes)
        byte = static_cast<char>(random());
      return bytes;
    }
    case 27:
      return std::string(random() % 200, static_cast<char>('a' + random() % 26));
    case 28: {
      std::string lines;
      for (unsigned n = random() % 40; n > 0; --n)
        lines += text(random) + "\r\n";
      return lines;
    }
    case 29:  // more arguments than libvterm can hold, cancelled and interrupted sequences
      return random() % 2 ? "\x1b[" + std::string(16 + random() % 4, ';') + 'm'
                          : "\x1b[3\x18" + text(random) + "\x1b[2\n;5H";
    case 30:
      return "\x1bPq" + text(random) + "\x1b\\";
    default:
      return "\x1b[" + std::to_string(1 + random() % 30) + ';' + std::to_string(1 + random() % 90) +
             'H';
  }
}

}  // namespace

screen_script random_script(unsigned seed) {
  std::mt19937 random(seed);
  static constexpr std::array<std::size_t, 6> scrollback_limits = {0, 1, 2, 5, 1000, 1000};
  screen_script script;
  script.rows = random() % 5 == 0 ? 1 + random() % 40 : 1 + random() % 10;
  script.cols = random() % 5 == 0 ? 2 + random() % 130 : 2 + random() % 30;
  script.scrollback = scrollback_limits[random() % scrollback_limits.size()];
  for (unsigned steps = 1 + random() % 10; steps > 0; --steps) {
    if (random() % 6 == 0) {
      // Applications reset their scroll region on a resize, mostly: libvterm 0.1.4 keeps a
      // region's top below a shrunken screen, which neither model can go past. DECSTBM homes
      // the cursor; DECSC and DECRC keep it where it was.
      if (random() % 3 != 0)
        script.steps.push_back(
            step::feed("\x1b"
                       "7\x1b[r\x1b"
                       "8"));
      script.steps.push_back(step::resize(1 + random() % 14, 2 + random() % 50));
      continue;
    }
    std::string bytes;
    for (unsigned tokens = 1 + random() % 30; tokens > 0; --tokens)
      bytes += token(random);
    // Split into feeds anywhere, inside sequences and characters too.
    while (bytes.size() > 1 && random() % 3 == 0) {
      const auto at = 1 + random() % (bytes.size() - 1);
      script.steps.push_back(step::feed(bytes.substr(0, at)));
      bytes.erase(0, at);
    }
    script.steps.push_back(step::feed(std::move(bytes)));
  }
  return script;
}

}  // namespace berth::actors
