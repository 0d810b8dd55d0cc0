// The master's FastCGI record parser (server::fcgi::RequestParser::feed) over
// arbitrary bytes, delivered in chunks as a socket would: the first input byte
// chooses the chunk size. A completed request's params and body are read back.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "workers/server/cgi_response.h"
#include "workers/server/fcgi_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0] % 64;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  server::fcgi::RequestParser parser;
  auto state = server::fcgi::RequestParser::State::kNeedMore;
  while (!bytes.empty() && state == server::fcgi::RequestParser::State::kNeedMore) {
    const size_t n = bytes.size() < chunk ? bytes.size() : chunk;
    state = parser.feed(bytes.substr(0, n));
    bytes.remove_prefix(n);
  }
  if (state == server::fcgi::RequestParser::State::kComplete) {
    (void)parser.param("REQUEST_URI");
    (void)parser.body().size();
    common::Response ok;
    ok.content_type = "text/plain";
    ok.body = "ok";
    (void)server::fcgi::encode_response(parser.request_id(), server::cgi_response("GET", ok));
  }
  return 0;
}
