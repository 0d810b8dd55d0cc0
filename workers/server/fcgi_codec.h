// A minimal FastCGI responder codec for the master's status socket. The master
// must never block on a client, so it cannot use libfcgi's blocking accept
// loop; it feeds the bytes it reads into a parser instead, and writes back
// what encode_response() makes. One request per connection (nginx's
// fastcgi_keep_conn off); multiplexing and management records are refused.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace server::fcgi {

class RequestParser {
 public:
  enum class State { kNeedMore, kComplete, kError };

  // Consumes more bytes of the connection. Returns kComplete once the params
  // and the stdin stream have both ended, kError (see error()) on a protocol
  // violation or when more than `max_bytes` arrive.
  State feed(std::string_view bytes);

  uint16_t request_id() const { return request_id_; }
  const std::map<std::string, std::string>& params() const { return params_; }
  std::string param(const std::string& name) const;
  const std::string& body() const { return stdin_; }
  const std::string& error() const { return error_; }

  static constexpr size_t kMaxBytes = 64 * 1024;

 private:
  State fail(std::string why);
  bool decode_params();

  std::string buffer_;
  std::string params_raw_;
  std::string stdin_;
  std::map<std::string, std::string> params_;
  uint16_t request_id_ = 0;
  bool begun_ = false, params_done_ = false, stdin_done_ = false;
  size_t total_ = 0;
  std::string error_;
  State state_ = State::kNeedMore;
};

// FCGI_STDOUT records carrying `cgi_response` ("Status: 200 OK\r\n...\r\n\r\nbody",
// made by cgi_response.h),
// the empty record that ends the stream, and FCGI_END_REQUEST.
std::string encode_response(uint16_t request_id, std::string_view cgi_response);

// The bytes a web server sends for one request (for tests).
std::string encode_request(uint16_t request_id, const std::map<std::string, std::string>& params,
                           std::string_view body);

}  // namespace server::fcgi
