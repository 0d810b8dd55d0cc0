// The pieces of the order mail's message format (workers/mail/mime.h) and the
// address shapes (common/mail_address.h): dates, header encoding, quoted-
// printable, and what user text can and cannot do to them.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/mail_address.h"
#include "workers/mail/mime.h"

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (;;) {
    const size_t end = text.find("\r\n", start);
    lines.push_back(text.substr(start, end == std::string::npos ? end : end - start));
    if (end == std::string::npos) return lines;
    start = end + 2;
  }
}

// Undoes quoted-printable (soft breaks and =XX), for round-trip checks.
std::string qp_decode(const std::string& qp) {
  std::string out;
  for (size_t i = 0; i < qp.size(); ++i) {
    if (qp[i] == '=' && qp.compare(i + 1, 2, "\r\n") == 0) {
      i += 2;
    } else if (qp[i] == '=') {
      out += static_cast<char>(std::stoi(qp.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else if (qp.compare(i, 2, "\r\n") == 0) {
      out += '\n';
      ++i;
    } else {
      out += qp[i];
    }
  }
  return out;
}

}  // namespace

TEST_CASE("dates are RFC 5322 in UTC with English names", "[unit][mail]") {
  CHECK(mail::rfc5322_date(0) == "Thu, 01 Jan 1970 00:00:00 +0000");
  CHECK(mail::rfc5322_date(1795914439) == "Sun, 29 Nov 2026 01:07:19 +0000");
}

TEST_CASE("single-line text has no control characters and is valid UTF-8", "[unit][mail]") {
  CHECK(mail::single_line_text("plain") == "plain");
  CHECK(mail::single_line_text("a\r\nBcc: x@evil.test") == "a  Bcc: x@evil.test");
  CHECK(mail::single_line_text(std::string("nul\0here", 8)) == "nul here");
  CHECK(mail::single_line_text("tab\there\x7f") == "tab here ");
  CHECK(mail::single_line_text("caf\xC3\xA9 \xE2\x82\xAC") == "caf\xC3\xA9 \xE2\x82\xAC");
  CHECK(mail::single_line_text("\xC2\x85next-line") == " next-line");  // C1 NEL
  CHECK(mail::single_line_text("bad \xFF\xC3") == "bad \xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(mail::single_line_text("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("a header keeps short printable ASCII and encodes anything else", "[unit][mail]") {
  CHECK(mail::header_text("Your order 42 is confirmed", 7) == "Your order 42 is confirmed");
  // CR/LF cannot start another header: they become spaces first.
  CHECK(mail::header_text("x\r\nBcc: a@b.c", 7) == "x  Bcc: a@b.c");
  const std::string encoded = mail::header_text("Commande n\xC2\xB0 42 confirm\xC3\xA9\x65", 7);
  CHECK(encoded == "=?UTF-8?B?Q29tbWFuZGUgbsKwIDQyIGNvbmZpcm3DqWU=?=");
  // Long text: several encoded words, folded, no line over 78 with the name.
  std::string long_text;
  for (int i = 0; i < 40; ++i) long_text += "\xC3\xA9t\xC3\xA9 ";
  const std::string folded = mail::header_text(long_text, 7);
  const auto lines = lines_of("Subject: " + folded);
  CHECK(lines.size() > 2);
  for (const std::string& line : lines) {
    CHECK(line.size() <= 78);
    CHECK(line.find('\r') == std::string::npos);
    CHECK(line.find('\n') == std::string::npos);
  }
  for (size_t i = 1; i < lines.size(); ++i) CHECK(lines[i].starts_with(" =?UTF-8?B?"));
}

TEST_CASE("quoted-printable keeps lines short, encodes what is unsafe, and round-trips",
          "[unit][mail]") {
  CHECK(mail::quoted_printable("hello\nworld") == "hello\r\nworld");
  CHECK(mail::quoted_printable("a=b") == "a=3Db");
  CHECK(mail::quoted_printable("trailing \nspace\t") == "trailing=20\r\nspace=09");
  CHECK(mail::quoted_printable(".\n.hidden") == "=2E\r\n=2Ehidden");
  CHECK(mail::quoted_printable("caf\xC3\xA9") == "caf=C3=A9");
  CHECK(mail::quoted_printable("cr\rlf\r\nend") == "cr\r\nlf\r\nend");

  const std::string long_line(200, 'x');
  const std::string qp = mail::quoted_printable(long_line + "\n" + std::string(50, '\xE2'));
  for (const std::string& line : lines_of(qp)) {
    CHECK(line.size() <= 76);
    CHECK_FALSE(line.starts_with("."));
  }
  CHECK(qp_decode(qp) == long_line + "\n" + std::string(50, '\xE2'));

  // A soft break never splits an =XX, and a '.' pushed to a new line is encoded.
  for (size_t pad = 70; pad < 80; ++pad) {
    const std::string text = std::string(pad, 'y') + "\xC3\xA9....." + std::string(90, 'z');
    const std::string encoded = mail::quoted_printable(text);
    INFO("pad " << pad);
    for (const std::string& line : lines_of(encoded)) {
      CHECK(line.size() <= 76);
      CHECK_FALSE(line.starts_with("."));
    }
    CHECK(qp_decode(encoded) == text);
  }
}

TEST_CASE("plain addresses and domain names are what headers can carry as they are",
          "[unit][mail]") {
  using common::mail::is_domain_name;
  using common::mail::is_plain_address;
  for (const char* ok : {"alice@example.com", "shop@localhost", "a.b+tag@sub.example.co",
                         "o'brien@example.ie", "x_y-z@a-b.example"}) {
    INFO(ok);
    CHECK(is_plain_address(ok));
  }
  for (const char* bad :
       {"", "alice", "@example.com", "alice@", "a@@b.c", "a@b@c.d", "alice smith@example.com",
        "alice@example.com\r\nBcc: eve@evil.test", "alice@example.com\n", "<alice@example.com>",
        "\"alice\"@example.com", "alice@-example.com", "alice@example..com", ".alice@example.com",
        "al..ice@example.com", "al\xC3\xAF\x63\x65@example.com", "alice@exa_mple.com"}) {
    INFO(bad);
    CHECK_FALSE(is_plain_address(bad));
  }
  CHECK_FALSE(is_plain_address(std::string("alice@example.com\0x", 19)));
  CHECK(is_domain_name("localhost"));
  CHECK(is_domain_name("mail.example.com"));
  CHECK_FALSE(is_domain_name("example.com."));
  CHECK_FALSE(is_domain_name("exa mple.com"));
  CHECK_FALSE(is_domain_name(std::string(64, 'a') + ".com"));
}
