// The shapes of mail addresses and domain names the service writes into
// message headers and SMTP commands itself (MAIL_FROM, MAIL_DOMAIN, the
// account's email). Deliberately narrower than RFC 5321: anything accepted
// here can be written into a header or an SMTP command as it is, without
// quoting or encoding, and cannot end or add a line.
#pragma once

#include <string_view>

namespace common::mail {

// "local@domain": one '@'; the local part 1..64 bytes of RFC 5322 atext and
// dots (no leading, trailing or doubled dot); the domain a domain_name();
// 254 bytes at most. Rejects spaces, quotes, angle brackets, control
// characters (CR, LF, NUL included) and non-ASCII bytes.
bool is_plain_address(std::string_view address);

// Labels of [A-Za-z0-9-] (1..63 bytes, no leading or trailing '-') separated
// by single dots, 253 bytes at most; "localhost" is one.
bool is_domain_name(std::string_view domain);

}  // namespace common::mail
