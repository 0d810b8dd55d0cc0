// The cross-checks of the mail settings (mail_problems in common/config.h).
#include <string>
#include <vector>

#include "common/config.h"
#include "common/mail_address.h"

namespace common {

namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// Printable ASCII without spaces: nothing a URL needs beyond that, and
// nothing that could end a line of the SMTP conversation.
bool printable_token(const std::string& s) {
  for (const char c : s) {
    if (c <= ' ' || c >= 0x7f) return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> mail_problems(const Config& c) {
  std::vector<std::string> problems;
  if (!c.smtp_url.empty()) {
    // The value is a secret: the problem never repeats it.
    const bool scheme = starts_with(c.smtp_url, "smtp://") || starts_with(c.smtp_url, "smtps://");
    if (!scheme || !printable_token(c.smtp_url)) {
      problems.push_back(
          "SMTP_URL must be smtp://[user[:password]@]host[:port] or smtps://..., without spaces");
    }
  }
  if (!mail::is_plain_address(c.mail_from)) {
    problems.push_back("MAIL_FROM must be a plain address like shop@example.com, got '" +
                       c.mail_from + "'");
  }
  if (!mail::is_domain_name(c.mail_domain)) {
    problems.push_back("MAIL_DOMAIN must be a domain name like example.com, got '" + c.mail_domain +
                       "'");
  }
  // A send still running when its job's lease runs out is taken over by another
  // runner and sent twice.
  if (static_cast<int64_t>(c.job_lease_s) * 1000 <=
      static_cast<int64_t>(c.smtp_connect_timeout_ms) + c.smtp_timeout_ms) {
    problems.push_back("JOB_LEASE_S (" + std::to_string(c.job_lease_s) +
                       " s) must be longer than SMTP_CONNECT_TIMEOUT_MS + SMTP_TIMEOUT_MS, or a "
                       "slow send could be taken over by another runner and sent twice");
  }
  return problems;
}

}  // namespace common
