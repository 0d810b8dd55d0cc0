#include "workers/mail/mime.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>

namespace mail {

namespace {

constexpr size_t kMaxEncodedWord = 75;                // RFC 2047 2
constexpr size_t kMaxHeaderLine = 78;                 // RFC 5322 2.1.1 (recommended)
constexpr size_t kMaxQpLine = 76;                     // RFC 2045 6.7 (5)
constexpr const char* kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The length of the valid UTF-8 sequence starting at s[i] (1..4), or 0 when
// there is none (stray continuation byte, overlong form, surrogate, beyond
// U+10FFFF, or cut short).
size_t utf8_sequence(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return 1;
  size_t len = 0;
  uint32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const unsigned char b = byte(i + k);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
  return len;
}

bool is_c1(std::string_view seq) {
  // U+0080..U+009F: C2 80 .. C2 9F
  return seq.size() == 2 && static_cast<unsigned char>(seq[0]) == 0xC2 &&
         static_cast<unsigned char>(seq[1]) <= 0x9F;
}

bool printable_ascii(std::string_view s) {
  for (const char c : s) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  const auto at = [&](size_t k) -> uint32_t { return static_cast<unsigned char>(in[k]); };
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(v >> shift) & 0x3F];
  }
  if (i + 1 == in.size()) {
    const uint32_t v = at(i) << 16;
    out += kAlphabet[(v >> 18) & 0x3F];
    out += kAlphabet[(v >> 12) & 0x3F];
    out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t v = (at(i) << 16) | (at(i + 1) << 8);
    out += kAlphabet[(v >> 18) & 0x3F];
    out += kAlphabet[(v >> 12) & 0x3F];
    out += kAlphabet[(v >> 6) & 0x3F];
    out += '=';
  }
  return out;
}

std::string hex_escape(unsigned char b) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  return std::string{'=', kHex[b >> 4], kHex[b & 0x0F]};
}

// One line (no line break in it) of quoted-printable, soft-broken to kMaxQpLine.
void encode_qp_line(std::string_view line, std::string& out) {
  size_t used = 0;  // characters on the current output line
  for (size_t i = 0; i < line.size(); ++i) {
    const auto b = static_cast<unsigned char>(line[i]);
    const bool last = i + 1 == line.size();
    std::string token;
    if ((b == ' ' || b == '\t') && !last) {
      token.assign(1, static_cast<char>(b));
    } else if (b > 0x20 && b < 0x7F && b != '=' && !(b == '.' && used == 0)) {
      token.assign(1, static_cast<char>(b));
    } else {
      token = hex_escape(b);
    }
    // Room for the token plus a soft break's '=' unless it ends the line.
    const size_t limit = last ? kMaxQpLine : kMaxQpLine - 1;
    if (used + token.size() > limit) {
      out += "=\r\n";
      used = 0;
      if (token == ".") token = hex_escape(b);
    }
    out += token;
    used += token.size();
  }
}

}  // namespace

std::string rfc5322_date(std::time_t t) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::string single_line_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t len = utf8_sequence(text, i);
    if (len == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    const std::string_view seq = text.substr(i, len);
    const auto b = static_cast<unsigned char>(seq[0]);
    if ((len == 1 && (b < 0x20 || b == 0x7F)) || is_c1(seq)) {
      out += ' ';
    } else {
      out += seq;
    }
    i += len;
  }
  return out;
}

std::string header_text(std::string_view text, size_t name_length) {
  const std::string clean = single_line_text(text);
  if (printable_ascii(clean) && name_length + 2 + clean.size() <= kMaxHeaderLine) return clean;
  // Each word: "=?UTF-8?B?" + base64 + "?=", at most kMaxEncodedWord and
  // short enough for its line: the first follows "Name: ", the others a
  // folding space. Base64 of n bytes is 4*ceil(n/3) characters.
  static constexpr std::string_view kOpen = "=?UTF-8?B?";
  static constexpr std::string_view kClose = "?=";
  const auto payload_for = [](size_t room) {
    const size_t word = std::min(room, kMaxEncodedWord);
    const size_t overhead = kOpen.size() + kClose.size();
    // At least one whole character (4 bytes), however long the name.
    return std::max<size_t>(word > overhead ? (word - overhead) / 4 * 3 : 0, 4);
  };
  std::string out;
  size_t i = 0;
  while (i < clean.size()) {
    const size_t max_payload =
        payload_for(out.empty() ? kMaxHeaderLine - std::min(kMaxHeaderLine, name_length + 2)
                                : kMaxHeaderLine - 1);
    size_t end = i;
    while (end < clean.size()) {
      const size_t len = utf8_sequence(clean, end);  // valid: clean is UTF-8
      if (end > i && end + len - i > max_payload) break;
      end += len;
    }
    if (!out.empty()) out += "\r\n ";
    out += kOpen;
    out += base64(std::string_view(clean).substr(i, end - i));
    out += kClose;
    i = end;
  }
  return out;
}

std::string quoted_printable(std::string_view text) {
  std::string out;
  size_t start = 0;
  bool first = true;
  while (start <= text.size()) {
    size_t end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = text.size();
    if (!first) out += "\r\n";
    first = false;
    encode_qp_line(text.substr(start, end - start), out);
    if (end == text.size()) break;
    start = end + ((text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') ? 2 : 1);
  }
  return out;
}

}  // namespace mail
