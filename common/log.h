// Logging: one line per event, text or JSON (LOG_FORMAT), each carrying the
// pid and, inside a request, the request id. Lines go to stderr, which the
// scripts redirect to $STATE_DIR/log/server.log.
//
// Whatever the event, keys and values hold, an event is exactly one line:
// JSON escapes every control character (DEL too); text writes a value as it
// is only when it is a plain token (no space, quote, '=', backslash or control
// character) and otherwise double-quoted with \n \r \t \" \\ and \u00XX escapes.
#pragma once

#include <json/value.h>

#include <initializer_list>
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

}  // namespace common::log
