// Logging: one line per event, text or JSON (LOG_FORMAT), each carrying the
// pid and, inside a request, the request id. Lines go to stderr, which the
// scripts redirect to $STATE_DIR/log/server.log.
//
// Whatever the event, keys and values hold, an event is exactly one line:
// JSON escapes every control character (DEL too); text writes a value as it
// is only when it is a plain token (no space, quote, '=', backslash or control
// character) and otherwise double-quoted with \n \r \t \" \\ and \u00XX escapes.
//
// The request line (event "request", one per request) has its own entry,
// `request()`, that formats straight into a reused buffer, and may be held
// back and written in batches (set_request_buffer): like nginx's
// `access_log ... buffer= flush=`. Every other line writes out whatever is
// held before itself, so one process's lines keep their order.
#pragma once

#include <json/value.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace common::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class Format { kText, kJson };

// Parses LOG_LEVEL "debug|info|warn|error" ("warning" too) / LOG_FORMAT
// "text|json"; returns false, `out` untouched, on anything else.
bool parse_level(std::string_view s, Level& out);
bool parse_format(std::string_view s, Format& out);
// The canonical text of each value ("warn", not "warning").
const char* level_name(Level level);
const char* format_name(Format format);

void init(Level level, Format format);
bool enabled(Level level);

// The request id attached to every line until cleared (one request at a time per process).
void set_request_id(std::string id);
void clear_request_id();

// LOG_FILE: sends every later line (and anything else written to stderr) to
// `path`, opened O_APPEND and created 0640, by dup2()ing it onto stderr. Called
// again (SIGUSR1, after logrotate moved the file) it opens the path afresh.
// On failure returns false with the reason in `error`; lines keep going where
// they went before.
bool redirect_to_file(const std::string& path, std::string& error);

using Fields = std::initializer_list<std::pair<const char*, Json::Value>>;
void write(Level level, std::string_view event, Fields fields = {});

inline void debug(std::string_view event, Fields f = {}) { write(Level::kDebug, event, f); }
inline void info(std::string_view event, Fields f = {}) { write(Level::kInfo, event, f); }
inline void warn(std::string_view event, Fields f = {}) { write(Level::kWarn, event, f); }
inline void error(std::string_view event, Fields f = {}) { write(Level::kError, event, f); }

// What the request line holds besides time, level, pid and request id.
struct RequestLine {
  std::string_view method;
  std::string_view route;
  std::string_view path;
  int status = 0;
  int64_t duration_us = 0;  // written as duration_ms with three decimals
  std::optional<int64_t> user_id;
};

// Logs `event: "request"` at info level with the fields of `line`, in the
// format of every other line (the same escaping rules).
void request(const RequestLine& line);

// Request lines are held in memory until `max_bytes` are held, until the
// oldest has waited `flush_after`, or until any other line, flush() or
// redirect_to_file() writes them out, in one write(2) each time. 0 bytes (the
// default) writes each line at once. The holder calls flush_if_due() between
// requests (and wakes up by flush_due_in() when idle) and flush() before it
// exits: a process that dies without flushing loses what is held.
void set_request_buffer(size_t max_bytes, std::chrono::milliseconds flush_after);
void flush();
void flush_if_due();
// How long until held lines are due (zero when they are); nullopt when none
// are held.
std::optional<std::chrono::milliseconds> flush_due_in();

}  // namespace common::log
