#include "workers/mail/smtp_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

namespace mail {

namespace {

// "<address>", as SMTP's MAIL FROM and RCPT TO take it. (Built by appending:
// g++ 12 warns falsely about "<" + std::string(...) here.)
std::string angle_addr(std::string_view address) {
  std::string out;
  out.reserve(address.size() + 2);
  out += '<';
  out += address;
  out += '>';
  return out;
}

// RAII for libcurl's handles.
using EasyHandle = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using UrlHandle = std::unique_ptr<CURLU, decltype(&curl_url_cleanup)>;
using SList = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

// A string libcurl allocated (curl_url_get), freed with curl_free.
struct CurlFree {
  void operator()(char* p) const { curl_free(p); }
};
using CurlString = std::unique_ptr<char, CurlFree>;

// curl_global_init is not thread-safe before 7.84 and costs a little: once per
// process, on first use (so after fork(), in the process that sends).
void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The message, handed to libcurl piece by piece.
struct Upload {
  std::string_view data;
  size_t offset = 0;
};

size_t read_upload(char* buffer, size_t size, size_t count, void* userdata) {
  auto* upload = static_cast<Upload*>(userdata);
  const size_t n = std::min(size * count, upload->data.size() - upload->offset);
  std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

std::string part(CURLU* url, CURLUPart which) {
  char* raw = nullptr;
  if (curl_url_get(url, which, &raw, 0) != CURLUE_OK || raw == nullptr) return "";
  const CurlString owned(raw);
  return owned.get();
}

UrlHandle parse_url(const std::string& text) {
  UrlHandle url(curl_url(), &curl_url_cleanup);
  if (!url) return url;
  if (curl_url_set(url.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) url.reset();
  return url;
}

SendResult transient(std::string detail, long reply_code = 0) {
  return {SendOutcome::kTransient, reply_code, std::move(detail)};
}

}  // namespace

SmtpSettings smtp_settings(const common::Config& config) {
  SmtpSettings s;
  s.url = config.smtp_url;
  s.user = config.smtp_user;
  s.password = config.smtp_password;
  s.helo_domain = config.mail_domain;
  s.connect_timeout_ms = config.smtp_connect_timeout_ms;
  s.timeout_ms = config.smtp_timeout_ms;
  return s;
}

const char* outcome_name(SendOutcome outcome) {
  switch (outcome) {
    case SendOutcome::kAccepted:
      return "accepted";
    case SendOutcome::kTransient:
      return "transient";
    case SendOutcome::kPermanent:
      return "permanent";
  }
  return "transient";
}

std::string redacted_url(const std::string& url) {
  global_init_once();
  const UrlHandle parsed = parse_url(url);
  if (!parsed) return "(invalid SMTP_URL)";
  const std::string scheme = part(parsed.get(), CURLUPART_SCHEME);
  const std::string host = part(parsed.get(), CURLUPART_HOST);
  const std::string port = part(parsed.get(), CURLUPART_PORT);
  return scheme + "://" + host + (port.empty() ? "" : ":" + port);
}

SendResult send_mail(const SmtpSettings& settings, std::string_view envelope_from,
                     std::string_view recipient, std::string_view message) {
  global_init_once();
  if (settings.url.empty()) return transient("SMTP_URL is not set: no server to send mail to");
  const UrlHandle url = parse_url(settings.url);
  if (!url) return transient("SMTP_URL cannot be parsed");
  const std::string scheme = part(url.get(), CURLUPART_SCHEME);
  if (scheme != "smtp" && scheme != "smtps")
    return transient("SMTP_URL is not smtp:// or smtps://");
  const std::string server = redacted_url(settings.url);
  // The URL's path is the EHLO name; without one libcurl would use this
  // host's name, which a relay may not accept.
  const std::string path = part(url.get(), CURLUPART_PATH);
  if (path.empty() || path == "/") {
    curl_url_set(url.get(), CURLUPART_PATH, ("/" + settings.helo_domain).c_str(), 0);
  }
  // SMTP_USER / SMTP_PASSWORD replace the URL's own credentials.
  if (!settings.user.empty()) curl_url_set(url.get(), CURLUPART_USER, nullptr, 0);
  if (!settings.password.empty()) curl_url_set(url.get(), CURLUPART_PASSWORD, nullptr, 0);
  char* full_raw = nullptr;
  if (curl_url_get(url.get(), CURLUPART_URL, &full_raw, 0) != CURLUE_OK || full_raw == nullptr) {
    return transient("SMTP_URL cannot be parsed");
  }
  const CurlString full(full_raw);

  EasyHandle curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) return transient("libcurl could not make a handle");
  const std::string from = angle_addr(envelope_from);
  SList recipients(curl_slist_append(nullptr, angle_addr(recipient).c_str()), &curl_slist_free_all);
  if (!recipients) return transient("out of memory for the recipient list");
  Upload upload{message};
  char error[CURL_ERROR_SIZE] = {};

  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, full.get());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for timeouts in a runner
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, settings.connect_timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, settings.timeout_ms);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  if (scheme == "smtp") curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  if (!settings.user.empty()) curl_easy_setopt(h, CURLOPT_USERNAME, settings.user.c_str());
  if (!settings.password.empty()) curl_easy_setopt(h, CURLOPT_PASSWORD, settings.password.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(h, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(h, CURLOPT_READDATA, &upload);

  const CURLcode code = curl_easy_perform(h);
  long reply = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
  if (code == CURLE_OK) return {SendOutcome::kAccepted, reply, ""};

  std::string detail = server + ": " + curl_easy_strerror(code);
  if (error[0] != '\0') detail += std::string(" (") + error + ")";
  if (reply != 0) detail += ", last reply " + std::to_string(reply);
  // A refused login is a setting to fix, not a property of the message.
  if (code != CURLE_LOGIN_DENIED && reply >= 500 && reply <= 599) {
    return {SendOutcome::kPermanent, reply, detail};
  }
  return transient(detail, reply);
}

}  // namespace mail
