// The pieces of an Internet message (RFC 5322, MIME) that the order mail is
// made of. Pure functions: no I/O, no clock, no locale.
//
// Every function here takes text that may come from users (product titles,
// attributes) and returns text that is safe where the function's name says:
// no CR, LF or NUL survives into a header, and body lines never exceed the
// 76 characters quoted-printable allows.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

namespace mail {

// "Wed, 02 Dec 2026 01:27:19 +0000": the RFC 5322 date-time of `t` in UTC,
// with English day and month names whatever the process's locale.
std::string rfc5322_date(std::time_t t);

// `text` as valid UTF-8 on one line: every invalid or truncated sequence
// becomes U+FFFD, every control character (C0 including CR, LF, TAB and NUL;
// DEL; C1) becomes a space.
std::string single_line_text(std::string_view text);

// The value of an unstructured header (Subject) for `text` (made
// single_line_text first). Printable ASCII that fits on the header's line as
// it is (`name_length` is the header name's length, without ": ") is returned
// unchanged; anything else becomes RFC 2047 encoded words
// ("=?UTF-8?B?...?="), each at most 75 characters, split only between whole
// UTF-8 characters, joined by "\r\n " (folding), so no line of the header
// passes 78 characters.
std::string header_text(std::string_view text, size_t name_length);

// `text` (UTF-8; lines separated by "\n", "\r\n" or "\r") encoded
// quoted-printable (RFC 2045 6.7): lines separated by "\r\n", none longer than
// 76 characters (soft line breaks "=\r\n" split longer ones, never inside an
// "=XX"), every byte outside printable ASCII encoded, as are '=', a space or
// tab at the end of a line, and a '.' at the start of one (so no line can
// read as SMTP's end of data). The result ends without a line break.
std::string quoted_printable(std::string_view text);

}  // namespace mail
