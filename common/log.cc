#include "common/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
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
// characters: whatever `s` holds, it stays one token on one line.
std::string quoted(std::string_view s) {
  std::string out = "\"";
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
        if (is_control(c)) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

// Written as it is when that cannot be mistaken for anything else: not empty,
// no space, quote, '=', backslash or control character.
std::string text_token(std::string_view s) {
  const bool plain = !s.empty() && std::none_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c == ' ' || c == '"' || c == '=' || c == '\\' || is_control(c);
  });
  return plain ? std::string(s) : quoted(s);
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
    obj["pid"] = static_cast<Json::Int64>(getpid());
    if (!g_request_id.empty()) obj["request_id"] = g_request_id;
    obj["event"] = std::string(event);
    for (const auto& [key, value] : fields) obj[key] = value;
    line = escape_del(json::write(obj));
  } else {
    // Every part that may come from outside is a text_token, so no value can
    // end the line or pose as another field.
    line = now_rfc3339() + " " + level_name(level) + " pid=" + std::to_string(getpid());
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
  // One write(2) per line so that lines from many processes sharing the file do not interleave.
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace common::log
