#include "common/log.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

#include "common/json.h"
#include "common/time_util.h"

namespace common::log {

namespace {
Level g_level = Level::kInfo;
Format g_format = Format::kText;
std::string g_request_id;

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

// JSON text escapes every control character but DEL; no DEL byte can be part
// of a multi-byte UTF-8 sequence, so each one is that character.
std::string escape_del(std::string text) {
  for (size_t at = text.find('\x7f'); at != std::string::npos; at = text.find('\x7f', at)) {
    text.replace(at, 1, "\\u007f");
  }
  return text;
}

// `s` in double quotes with \ \" \n \r \t and \u00XX for the other control
// characters, appended to `out`: whatever `s` holds, it stays one token on one
// line. With `json`, also \b and \f, as JSON writes them.
void append_quoted(std::string& out, std::string_view s, bool json = false) {
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (json && c == '\b') {
          out += "\\b";
        } else if (json && c == '\f') {
          out += "\\f";
        } else if (is_control(c)) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

// Appended as it is when that cannot be mistaken for anything else: not
// empty, no space, quote, '=', backslash or control character.
void append_text_token(std::string& out, std::string_view s) {
  const bool plain = !s.empty() && std::none_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c == ' ' || c == '"' || c == '=' || c == '\\' || is_control(c);
  });
  if (plain) {
    out += s;
  } else {
    append_quoted(out, s);
  }
}

std::string text_token(std::string_view s) {
  std::string out;
  append_text_token(out, s);
  return out;
}

// A JSON string as the JSON lines write it (json::write, then DEL escaped):
// other bytes, UTF-8 included, as they are.
void append_json_string(std::string& out, std::string_view s) { append_quoted(out, s, true); }

void append_int(std::string& out, int64_t v) {
  char buf[24];
  const char* end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  out.append(buf, static_cast<size_t>(end - buf));
}

// Microseconds as milliseconds with three decimals: 1234 -> "1.234".
void append_ms(std::string& out, int64_t micros) {
  if (micros < 0) micros = 0;
  append_int(out, micros / 1000);
  const char frac[4] = {'.', static_cast<char>('0' + micros % 1000 / 100),
                        static_cast<char>('0' + micros % 100 / 10),
                        static_cast<char>('0' + micros % 10)};
  out.append(frac, 4);
}

// now_rfc3339() appended; the date and time are formatted once a second.
void append_now(std::string& out) {
  static time_t cached_second = -1;
  static char cached[64];
  timeval tv{};
  gettimeofday(&tv, nullptr);
  if (tv.tv_sec != cached_second) {
    tm utc{};
    gmtime_r(&tv.tv_sec, &utc);
    std::snprintf(cached, sizeof cached, "%04d-%02d-%02dT%02d:%02d:%02d", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
    cached_second = tv.tv_sec;
  }
  char micros[16];
  std::snprintf(micros, sizeof micros, ".%06ld+00:00", static_cast<long>(tv.tv_usec));
  out += cached;
  out += micros;
}

// getpid() once per process; a child forked later asks again.
pid_t g_pid = 0;
void forget_pid() { g_pid = 0; }
[[maybe_unused]] const int g_atfork = pthread_atfork(nullptr, nullptr, forget_pid);
pid_t current_pid() {
  if (g_pid == 0) g_pid = ::getpid();
  return g_pid;
}

// Request lines held back (set_request_buffer), oldest first.
std::string g_held;
size_t g_held_max = 0;
std::chrono::milliseconds g_flush_after{1000};
std::chrono::steady_clock::time_point g_oldest_held{};

// The whole of `text` to stderr: one write(2) unless the kernel takes less.
void write_all(std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to log to: the rest is dropped
    text.remove_prefix(static_cast<size_t>(n));
  }
}

// `line` after whatever is held, in one write.
void emit(std::string_view line) {
  if (g_held.empty()) {
    write_all(line);
    return;
  }
  g_held += line;
  write_all(g_held);
  g_held.clear();
}

std::string text_value(const Json::Value& v) {
  if (v.isString()) {
    const char* begin = nullptr;
    const char* end = nullptr;
    v.getString(&begin, &end);
    return text_token(std::string_view(begin, static_cast<size_t>(end - begin)));
  }
  return escape_del(json::write(v));  // numbers as numbers, objects as escaped JSON
}
}  // namespace

bool parse_level(std::string_view s, Level& out) {
  if (s == "debug")
    out = Level::kDebug;
  else if (s == "info")
    out = Level::kInfo;
  else if (s == "warn" || s == "warning")
    out = Level::kWarn;
  else if (s == "error")
    out = Level::kError;
  else
    return false;
  return true;
}

const char* level_name(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

const char* format_name(Format format) { return format == Format::kJson ? "json" : "text"; }

bool parse_format(std::string_view s, Format& out) {
  if (s == "text")
    out = Format::kText;
  else if (s == "json")
    out = Format::kJson;
  else
    return false;
  return true;
}

void init(Level level, Format format) {
  g_level = level;
  g_format = format;
}

bool enabled(Level level) { return level >= g_level; }

bool redirect_to_file(const std::string& path, std::string& error) {
  flush();  // what is held belongs to the file the lines went to until now
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  const bool ok = fd == STDERR_FILENO || ::dup2(fd, STDERR_FILENO) >= 0;
  if (!ok) error = std::string("dup2: ") + std::strerror(errno);
  if (fd != STDERR_FILENO) ::close(fd);
  return ok;
}

void set_request_id(std::string id) { g_request_id = std::move(id); }
void clear_request_id() { g_request_id.clear(); }

void write(Level level, std::string_view event, Fields fields) {
  if (!enabled(level)) return;
  std::string line;
  if (g_format == Format::kJson) {
    Json::Value obj(Json::objectValue);
    obj["time"] = now_rfc3339();
    obj["level"] = level_name(level);
    obj["pid"] = static_cast<Json::Int64>(current_pid());
    if (!g_request_id.empty()) obj["request_id"] = g_request_id;
    obj["event"] = std::string(event);
    for (const auto& [key, value] : fields) obj[key] = value;
    line = escape_del(json::write(obj));
  } else {
    // Every part that may come from outside is a text_token, so no value can
    // end the line or pose as another field.
    line = now_rfc3339() + " " + level_name(level) + " pid=" + std::to_string(current_pid());
    if (!g_request_id.empty()) line += " rid=" + text_token(g_request_id);
    line += " ";
    line += text_token(event);
    for (const auto& [key, value] : fields) {
      line += " ";
      line += text_token(key);
      line += "=";
      line += text_value(value);
    }
  }
  line += "\n";
  // One write(2) per line, with the request lines held before it, so that
  // lines from many processes sharing the file do not interleave.
  emit(line);
}

void request(const RequestLine& r) {
  if (!enabled(Level::kInfo)) return;
  static std::string line;  // reused: its capacity stays
  line.clear();
  if (g_format == Format::kJson) {
    line += "{\"time\":\"";
    append_now(line);
    line += "\",\"level\":\"info\",\"pid\":";
    append_int(line, current_pid());
    if (!g_request_id.empty()) {
      line += ",\"request_id\":";
      append_json_string(line, g_request_id);
    }
    line += ",\"event\":\"request\",\"method\":";
    append_json_string(line, r.method);
    line += ",\"route\":";
    append_json_string(line, r.route);
    line += ",\"path\":";
    append_json_string(line, r.path);
    line += ",\"status\":";
    append_int(line, r.status);
    line += ",\"duration_ms\":";
    append_ms(line, r.duration_us);
    if (r.user_id) {
      line += ",\"user_id\":";
      append_int(line, *r.user_id);
    }
    line += "}\n";
  } else {
    append_now(line);
    line += " info pid=";
    append_int(line, current_pid());
    if (!g_request_id.empty()) {
      line += " rid=";
      append_text_token(line, g_request_id);
    }
    line += " request method=";
    append_text_token(line, r.method);
    line += " route=";
    append_text_token(line, r.route);
    line += " path=";
    append_text_token(line, r.path);
    line += " status=";
    append_int(line, r.status);
    line += " duration_ms=";
    append_ms(line, r.duration_us);
    if (r.user_id) {
      line += " user_id=";
      append_int(line, *r.user_id);
    }
    line += '\n';
  }
  if (g_held_max == 0) {
    emit(line);
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (g_held.empty()) g_oldest_held = now;
  g_held += line;
  if (g_held.size() >= g_held_max || now - g_oldest_held >= g_flush_after) flush();
}

void set_request_buffer(size_t max_bytes, std::chrono::milliseconds flush_after) {
  flush();
  g_held_max = max_bytes;
  g_flush_after = flush_after;
  if (max_bytes > 0) g_held.reserve(max_bytes + 1024);
}

void flush() {
  if (g_held.empty()) return;
  write_all(g_held);
  g_held.clear();
}

void flush_if_due() {
  if (!g_held.empty() && std::chrono::steady_clock::now() - g_oldest_held >= g_flush_after) {
    flush();
  }
}

std::optional<std::chrono::milliseconds> flush_due_in() {
  if (g_held.empty()) return std::nullopt;
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - g_oldest_held);
  return waited >= g_flush_after ? std::chrono::milliseconds(0) : g_flush_after - waited;
}

}  // namespace common::log
