#include "workers/server/fcgi_codec.h"

#include <algorithm>

namespace server::fcgi {

namespace {

constexpr uint8_t kVersion = 1;
constexpr uint8_t kBeginRequest = 1;
constexpr uint8_t kAbortRequest = 2;
constexpr uint8_t kEndRequest = 3;
constexpr uint8_t kParams = 4;
constexpr uint8_t kStdin = 5;
constexpr uint8_t kStdout = 6;
constexpr uint8_t kResponder = 1;
constexpr size_t kHeader = 8;
constexpr size_t kMaxContent = 65535;

void append_record(std::string& out, uint8_t type, uint16_t id, std::string_view content) {
  const auto len = static_cast<uint16_t>(content.size());
  const uint8_t padding = static_cast<uint8_t>((8 - len % 8) % 8);
  const char header[kHeader] = {static_cast<char>(kVersion), static_cast<char>(type),
                                static_cast<char>(id >> 8),  static_cast<char>(id & 0xff),
                                static_cast<char>(len >> 8), static_cast<char>(len & 0xff),
                                static_cast<char>(padding),  0};
  out.append(header, kHeader);
  out.append(content);
  out.append(padding, '\0');
}

void append_stream(std::string& out, uint8_t type, uint16_t id, std::string_view data) {
  while (!data.empty()) {
    const size_t n = std::min(data.size(), kMaxContent - 7);
    append_record(out, type, id, data.substr(0, n));
    data.remove_prefix(n);
  }
  append_record(out, type, id, {});
}

void append_length(std::string& out, size_t n) {
  if (n < 128) {
    out.push_back(static_cast<char>(n));
  } else {
    out.push_back(static_cast<char>(0x80 | ((n >> 24) & 0x7f)));
    out.push_back(static_cast<char>((n >> 16) & 0xff));
    out.push_back(static_cast<char>((n >> 8) & 0xff));
    out.push_back(static_cast<char>(n & 0xff));
  }
}

bool read_length(std::string_view& in, size_t& n) {
  if (in.empty()) return false;
  const auto b0 = static_cast<unsigned char>(in[0]);
  if ((b0 & 0x80) == 0) {
    n = b0;
    in.remove_prefix(1);
    return true;
  }
  if (in.size() < 4) return false;
  n = (static_cast<size_t>(b0 & 0x7f) << 24) | (static_cast<size_t>(uint8_t(in[1])) << 16) |
      (static_cast<size_t>(uint8_t(in[2])) << 8) | static_cast<size_t>(uint8_t(in[3]));
  in.remove_prefix(4);
  return true;
}

}  // namespace

RequestParser::State RequestParser::fail(std::string why) {
  error_ = std::move(why);
  state_ = State::kError;
  return state_;
}

bool RequestParser::decode_params() {
  std::string_view in(params_raw_);
  while (!in.empty()) {
    size_t name_len = 0, value_len = 0;
    if (!read_length(in, name_len) || !read_length(in, value_len)) return false;
    if (in.size() < name_len + value_len) return false;
    params_[std::string(in.substr(0, name_len))] = std::string(in.substr(name_len, value_len));
    in.remove_prefix(name_len + value_len);
  }
  return true;
}

std::string RequestParser::param(const std::string& name) const {
  const auto it = params_.find(name);
  return it == params_.end() ? std::string() : it->second;
}

RequestParser::State RequestParser::feed(std::string_view bytes) {
  if (state_ != State::kNeedMore) return state_;
  total_ += bytes.size();
  if (total_ > kMaxBytes) return fail("request larger than " + std::to_string(kMaxBytes));
  buffer_.append(bytes);
  size_t pos = 0;
  while (buffer_.size() - pos >= kHeader) {
    const auto* h = reinterpret_cast<const unsigned char*>(buffer_.data() + pos);
    const size_t len = (size_t{h[4]} << 8) | h[5];
    const size_t record = kHeader + len + h[6];
    if (buffer_.size() - pos < record) break;
    const uint8_t type = h[1];
    const auto id = static_cast<uint16_t>((h[2] << 8) | h[3]);
    const std::string_view content(buffer_.data() + pos + kHeader, len);
    pos += record;
    if (h[0] != kVersion) return fail("unsupported FastCGI version");
    if (type == kBeginRequest) {
      if (begun_ || len < 8) return fail("unexpected FCGI_BEGIN_REQUEST");
      const int role = (uint8_t(content[0]) << 8) | uint8_t(content[1]);
      if (role != kResponder) return fail("only the responder role is served");
      begun_ = true;
      request_id_ = id;
      continue;
    }
    if (!begun_ || id != request_id_) return fail("record for an unknown request");
    if (type == kAbortRequest) return fail("request aborted by the web server");
    if (type == kParams) {
      if (params_done_) return fail("params after their end");
      if (len == 0) {
        params_done_ = true;
        if (!decode_params()) return fail("malformed FCGI_PARAMS");
      } else {
        params_raw_.append(content);
      }
    } else if (type == kStdin) {
      if (len == 0) {
        stdin_done_ = true;
      } else {
        stdin_.append(content);
      }
    } else {
      return fail("unexpected record type " + std::to_string(type));
    }
  }
  buffer_.erase(0, pos);
  if (params_done_ && stdin_done_) state_ = State::kComplete;
  return state_;
}

std::string encode_response(uint16_t request_id, std::string_view cgi) {
  std::string out;
  out.reserve(cgi.size() + 64);
  append_stream(out, kStdout, request_id, cgi);
  const char end[8] = {0, 0, 0, 0, 0 /* FCGI_REQUEST_COMPLETE */, 0, 0, 0};
  append_record(out, kEndRequest, request_id, std::string_view(end, sizeof end));
  return out;
}

std::string encode_request(uint16_t request_id, const std::map<std::string, std::string>& params,
                           std::string_view body) {
  std::string out;
  const char begin[8] = {0, static_cast<char>(kResponder), 0, 0, 0, 0, 0, 0};
  append_record(out, kBeginRequest, request_id, std::string_view(begin, sizeof begin));
  std::string pairs;
  for (const auto& [name, value] : params) {
    append_length(pairs, name.size());
    append_length(pairs, value.size());
    pairs += name;
    pairs += value;
  }
  append_stream(out, kParams, request_id, pairs);
  append_stream(out, kStdin, request_id, body);
  return out;
}

}  // namespace server::fcgi
