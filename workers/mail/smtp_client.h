// Sending one message over SMTP with libcurl: smtp:// (STARTTLS when the
// server offers it) or smtps:// (TLS from the first byte, the certificate
// checked against the system's CAs), optional AUTH, bounded in time.
//
// What a send can end as, and what the caller should do:
//   kAccepted   the server took the message (250 after DATA): it is the
//               server's now; do not send it again.
//   kTransient  not accepted, try again later: no connection (refused,
//               unreachable, timed out), TLS failure, a 4xx reply, a
//               connection that broke off, a login the server refused (a
//               setting to fix, not a property of the message), no SMTP_URL.
//   kPermanent  the server answered 5xx: this message will not be taken.
// A kTransient after the server's acceptance cannot be told apart from one
// before it (the connection broke while the "250" was in flight); the caller
// may then send the same message again, which is why the order mail carries a
// fixed Message-ID.
//
// Secrets: `detail` and everything this file logs name the server as
// scheme://host:port only, never the URL's user or password nor SMTP_PASSWORD.
#pragma once

#include <string>
#include <string_view>

#include "common/config.h"

namespace mail {

struct SmtpSettings {
  std::string url;       // SMTP_URL; may carry user:password
  std::string user;      // SMTP_USER: overrides the URL's user (empty: the URL's)
  std::string password;  // SMTP_PASSWORD: overrides the URL's password (empty: the URL's)
  // The name given in EHLO when the URL names none (its path): MAIL_DOMAIN.
  std::string helo_domain = "localhost";
  long connect_timeout_ms = 5000;  // SMTP_CONNECT_TIMEOUT_MS
  long timeout_ms = 30000;         // SMTP_TIMEOUT_MS: the whole conversation
};

// The SMTP settings of `config`.
SmtpSettings smtp_settings(const common::Config& config);

enum class SendOutcome { kAccepted, kTransient, kPermanent };
const char* outcome_name(SendOutcome outcome);  // "accepted" | "transient" | "permanent"

struct SendResult {
  SendOutcome outcome = SendOutcome::kTransient;
  long reply_code = 0;  // the last SMTP reply code (0: none came)
  std::string detail;   // why, for last_error and the log; empty when accepted
};

// Sends `message` (a whole RFC 5322 message, CRLF line ends) from
// `envelope_from` to `recipient` (plain addresses: the SMTP envelope). Never
// throws for what the network or the server does; blocks at most about
// settings.timeout_ms. Thread-safe (one curl handle per call).
[[nodiscard]] SendResult send_mail(const SmtpSettings& settings, std::string_view envelope_from,
                                   std::string_view recipient, std::string_view message);

// "smtp://host:port" of `url` without user, password or path: what logs and
// errors may show. "(invalid SMTP_URL)" when it does not parse.
std::string redacted_url(const std::string& url);

}  // namespace mail
