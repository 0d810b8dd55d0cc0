// The order mail as a message (workers/mail/order_mail.h): its exact headers,
// its body, money, and user text that tries to add headers or break lines.
#include "workers/mail/order_mail.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/json.h"

namespace {

using mail::OrderMailKind;

constexpr std::time_t kDate = 1795914439;  // Sun, 29 Nov 2026 01:07:19 +0000

mail::OrderMail sample_order(OrderMailKind kind = OrderMailKind::kConfirmation) {
  mail::OrderMail order;
  order.kind = kind;
  order.order_id = 42;
  order.to = "alice@example.com";
  order.currency = "USD";
  order.total_cents = 8642;
  mail::OrderMailLine mug;
  mug.title = "Blue Mug";
  mug.sku = "MUG-BLUE";
  mug.attributes = common::json::parse_trusted(R"({"color": "blue", "ml": 350})");
  mug.quantity = 2;
  mug.unit_price_cents = 1299;
  mug.subtotal_cents = 2598;
  mail::OrderMailLine lamp;
  lamp.title = "Desk Lamp";
  lamp.sku = "LAMP-1";
  lamp.quantity = 1;
  lamp.unit_price_cents = 6044;
  lamp.subtotal_cents = 6044;
  order.lines = {mug, lamp};
  return order;
}

const mail::Sender kSender{"shop@example.com", "mail.example.com"};

struct Split {
  std::vector<std::string> headers;  // as written, one per line
  std::string body;
};

Split split(const std::string& text) {
  Split out;
  const size_t blank = text.find("\r\n\r\n");
  REQUIRE(blank != std::string::npos);
  const std::string head = text.substr(0, blank + 2);
  size_t start = 0;
  while (start < head.size()) {
    const size_t end = head.find("\r\n", start);
    out.headers.push_back(head.substr(start, end - start));
    start = end + 2;
  }
  out.body = text.substr(blank + 4);
  return out;
}

// The body decoded from quoted-printable, with "\n" line ends.
std::string decoded_body(const std::string& qp) {
  std::string out;
  for (size_t i = 0; i < qp.size(); ++i) {
    if (qp[i] == '=' && qp.compare(i + 1, 2, "\r\n") == 0) {
      i += 2;
    } else if (qp[i] == '=') {
      out += static_cast<char>(std::stoi(qp.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else if (qp.compare(i, 2, "\r\n") == 0) {
      out += '\n';
      ++i;
    } else {
      out += qp[i];
    }
  }
  return out;
}

// Every line of the message ends in CRLF: no bare CR or LF anywhere.
void require_crlf_only(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') REQUIRE((i > 0 && text[i - 1] == '\r'));
    if (text[i] == '\r') REQUIRE((i + 1 < text.size() && text[i + 1] == '\n'));
  }
  REQUIRE(text.ends_with("\r\n"));
}

}  // namespace

TEST_CASE("money is units with two decimals and the currency", "[unit][mail]") {
  CHECK(mail::format_money(8642, "USD") == "86.42 USD");
  CHECK(mail::format_money(0, "USD") == "0.00 USD");
  CHECK(mail::format_money(5, "EUR") == "0.05 EUR");
  CHECK(mail::format_money(100, "EUR") == "1.00 EUR");
  CHECK(mail::format_money(129999, "USD") == "1299.99 USD");
  CHECK(mail::format_money(-5, "USD") == "-0.05 USD");
  CHECK(mail::format_money(INT64_MIN, "USD") == "-92233720368547758.08 USD");
}

TEST_CASE("an order confirmation has exactly the headers the contract names", "[unit][mail]") {
  const mail::ComposedMail m = mail::compose_order_mail(sample_order(), kSender, kDate);
  CHECK(m.message_id == "order-42-confirmation@mail.example.com");
  CHECK(m.to == "alice@example.com");
  require_crlf_only(m.text);
  const Split parts = split(m.text);
  CHECK(parts.headers == std::vector<std::string>{
                             "Date: Sun, 29 Nov 2026 01:07:19 +0000",
                             "From: shop@example.com",
                             "To: alice@example.com",
                             "Subject: Your order 42 is confirmed",
                             "Message-ID: <order-42-confirmation@mail.example.com>",
                             "MIME-Version: 1.0",
                             "Content-Type: text/plain; charset=UTF-8",
                             "Content-Transfer-Encoding: quoted-printable",
                         });
  const std::string body = decoded_body(parts.body);
  CHECK(body.find("order 42") != std::string::npos);
  CHECK(body.find(
            "- Blue Mug\n  sku MUG-BLUE (color: blue, ml: 350)\n  2 x 12.99 USD = 25.98 USD\n") !=
        std::string::npos);
  CHECK(body.find("- Desk Lamp\n  sku LAMP-1\n  1 x 60.44 USD = 60.44 USD\n") != std::string::npos);
  CHECK(body.ends_with("Total: 86.42 USD\n"));
  // The same input gives the same bytes.
  CHECK(mail::compose_order_mail(sample_order(), kSender, kDate).text == m.text);
}

TEST_CASE("a shipping notice names its kind in the Message-ID and the subject", "[unit][mail]") {
  const mail::ComposedMail m = mail::compose_order_mail(sample_order(OrderMailKind::kShipped),
                                                        {"shop@localhost", "localhost"}, kDate);
  CHECK(m.message_id == "order-42-shipped@localhost");
  const Split parts = split(m.text);
  CHECK(parts.headers.at(3) == "Subject: Your order 42 has shipped");
  CHECK(parts.headers.at(4) == "Message-ID: <order-42-shipped@localhost>");
  CHECK(decoded_body(parts.body).find("has shipped") != std::string::npos);
}

TEST_CASE("user text cannot add a header, end the message or make a long line", "[unit][mail]") {
  mail::OrderMail order = sample_order();
  order.lines[0].title = "Mug\r\nBcc: eve@evil.test\r\n\r\n.\r\nMAIL FROM:<x@y>";
  order.lines[0].sku = std::string("SKU\0\nX-Injected: 1", 18);
  order.lines[0].attributes = common::json::parse_trusted(
      R"({"note\r\nX-Evil": "v\r\n.\r\nQUIT", "size": "\u00e9t\u00e9"})");
  order.lines[1].title = std::string(500, 'L') + " \xE2\x98\x95 \xF0\x9F\x8D\xB5 " + "caf\xC3\xA9";
  const mail::ComposedMail m = mail::compose_order_mail(order, kSender, kDate);
  require_crlf_only(m.text);
  const Split parts = split(m.text);
  CHECK(parts.headers.size() == 8);  // nothing added
  for (const std::string& line : split(m.text).headers) {
    CHECK(line.find("Bcc") == std::string::npos);
    CHECK(line.find("X-") == std::string::npos);
  }
  size_t start = 0;
  while (start < parts.body.size()) {
    const size_t end = parts.body.find("\r\n", start);
    const std::string line = parts.body.substr(start, end - start);
    CHECK(line.size() <= 76);
    CHECK(line != ".");
    CHECK_FALSE(line.starts_with("."));
    start = end + 2;
  }
  const std::string body = decoded_body(parts.body);
  // The text is still there, on one line each, non-ASCII intact.
  CHECK(body.find("- Mug  Bcc: eve@evil.test    .  MAIL FROM:<x@y>\n") != std::string::npos);
  CHECK(body.find("sku SKU  X-Injected: 1") != std::string::npos);
  CHECK(body.find("size: \xC3\xA9t\xC3\xA9") != std::string::npos);
  CHECK(body.find(std::string(500, 'L') + " \xE2\x98\x95 \xF0\x9F\x8D\xB5 caf\xC3\xA9\n") !=
        std::string::npos);
}

TEST_CASE("a recipient or sender that is not a plain address is refused", "[unit][mail]") {
  for (const char* to : {"alice@example.com\r\nBcc: eve@evil.test", "Alice <alice@example.com>",
                         "alice", "al ice@example.com", ""}) {
    INFO(to);
    mail::OrderMail order = sample_order();
    order.to = to;
    CHECK_THROWS_AS(mail::compose_order_mail(order, kSender, kDate), mail::UnaddressableMail);
  }
  CHECK_THROWS_AS(
      mail::compose_order_mail(sample_order(), {"shop@example.com\r\nX: 1", "x.com"}, kDate),
      mail::UnaddressableMail);
  CHECK_THROWS_AS(
      mail::compose_order_mail(sample_order(), {"shop@example.com", "bad domain"}, kDate),
      mail::UnaddressableMail);
}
