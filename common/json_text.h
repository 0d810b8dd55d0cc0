// A streaming writer of compact JSON text into one std::string, for answers
// rendered straight from rows without building a Json::Value tree.
//
// Its output is byte-for-byte what common::json::write (jsoncpp, emitUTF8, no
// indentation) gives for the equivalent Json::Value, so that an answer's ETag
// does not depend on which of the two rendered it. Two things are the
// caller's part of that promise:
//   - jsoncpp writes an object's members sorted by name (bytewise), so the
//     caller must emit keys in that order;
//   - raw() text must itself be what json::write renders (e.g. from
//     canonical_json below).
//
// Strings are escaped as jsoncpp does: '"', '\\', \b \f \n \r \t by their short
// escapes, every other byte below 0x20 as \u00xx (lowercase hex), and every
// other byte, UTF-8 or not, DEL included, as it is.
//
// The writer checks no structure: a key outside an object or an unbalanced
// end_* yields text that is not JSON. It only places the commas and colons.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace common::json {

class TextWriter {
 public:
  // Writes into `out`, after what it already holds (reserve it beforehand to
  // keep one allocation). `out` must outlive the writer.
  explicit TextWriter(std::string& out) : out_(out) {}

  TextWriter& begin_object();
  TextWriter& end_object();
  TextWriter& begin_array();
  TextWriter& end_array();
  // A member name; the next call writes its value.
  TextWriter& key(std::string_view name);

  TextWriter& string(std::string_view value);
  TextWriter& int64(int64_t value);
  TextWriter& boolean(bool value);
  TextWriter& null();
  // Already rendered JSON, appended as it is.
  TextWriter& raw(std::string_view json);

 private:
  void before_value();

  std::string& out_;
  bool need_comma_ = false;  // a value was written at this level: the next item needs ','
};

// `value` as a quoted JSON string, escaped as described above, appended to `out`.
void append_quoted(std::string& out, std::string_view value);

// Trusted JSON text (jsonb from PostgreSQL, which spaces it and orders keys
// its own way) as json::write(json::parse_trusted(text)) renders it: compact,
// members sorted. Rendered directly when every value is one whose jsoncpp
// rendering is certain (strings, integers within int64, true, false, null,
// arrays, objects); a fraction, an exponent, a larger integer or a \u escape
// beyond ASCII goes through jsoncpp instead. Throws AppError(kInternal) when
// the text does not parse (or is not an object or array at the top).
std::string canonical_json(std::string_view text);

}  // namespace common::json
