// A real SMTP server for one test: Debian's aiosmtpd (python3-aiosmtpd) with
// the stack's Maildir-style handler (scripts/mail_sink.py), on a free loopback
// port, keeping every accepted message whole as one file in a mail directory
// of its own. Stopped (SIGKILL) with the object. A recipient whose local part
// is "reply-NNN" (or starts with "reply-NNN-") is answered with that SMTP code
// instead, e.g. reply-550@example.test is refused, reply-451@... deferred.
//
//   SmtpServer smtp;
//   config.smtp_url = smtp.url();
//   ... send ...
//   const auto messages = smtp.wait_for_messages(1, std::chrono::seconds(5));
//   CHECK(messages.at(0).header("Message-ID") == "<order-1-confirmation@localhost>");
//
// SMTP_PYTHON names the interpreter (default /usr/bin/python3: the one the
// Debian package is installed for).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/support/temp_dir.h"

namespace test_support {

// One stored message: the bytes as the server received them, and its header
// fields (unfolded, in order) and body (still transfer-encoded).
struct MailMessage {
  std::filesystem::path file;
  std::string raw;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The value of the first field named `name` (case-insensitive), "" if none.
  std::string header(std::string_view name) const;
  // How many fields are named `name` (case-insensitive).
  size_t header_count(std::string_view name) const;
  // The body with quoted-printable undone and CRLF as "\n".
  std::string text() const;
};

// Parses a whole message (CRLF or LF line ends) into headers and body.
MailMessage parse_mail_message(std::string raw);

// Every message delivered to the Maildir-style directory `dir` (its new/),
// oldest first: an SmtpServer's, or the e2e stack's $E2E_STATE_DIR/mail.
std::vector<MailMessage> read_maildir(const std::filesystem::path& dir);

class SmtpServer {
 public:
  // Starts it and waits until it greets (220); FAILs the test otherwise.
  SmtpServer();
  ~SmtpServer();
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;

  // smtp://127.0.0.1:PORT
  std::string url() const;
  int port() const { return port_; }
  // Where messages are kept (new/ holds the delivered ones).
  const std::filesystem::path& mail_dir() const { return mail_dir_; }

  // SIGKILL and reap: connections are refused until start().
  void stop();
  // Starts it again on the same port and mail directory.
  void start();
  // SIGSTOP / SIGCONT: connections are accepted by the kernel but nothing
  // answers (clients time out).
  void pause();
  void resume();

  // Every stored message, oldest first.
  std::vector<MailMessage> messages() const;
  // Polls until at least `count` messages are stored or `timeout` passes;
  // returns what is stored then.
  std::vector<MailMessage> wait_for_messages(size_t count, std::chrono::milliseconds timeout) const;

 private:
  bool greets() const;

  TempDir dir_{"smtp"};
  std::filesystem::path mail_dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace test_support
