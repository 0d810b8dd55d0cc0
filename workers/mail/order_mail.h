// The order mail as a message: what an order confirmation or a shipping notice
// says and how it is written (RFC 5322, MIME, CRLF line ends). Pure: the
// caller loads the order and sends the text (workers/jobs/order_mail_jobs.h).
//
// The message:
//   Date: <rfc5322_date(date)>
//   From: <sender.from>
//   To: <order.to>
//   Subject: Your order <id> is confirmed | Your order <id> has shipped
//   Message-ID: <order-<id>-<kind>@<sender.domain>>
//   MIME-Version: 1.0
//   Content-Type: text/plain; charset=UTF-8
//   Content-Transfer-Encoding: quoted-printable
//
//   a plain-text body (quoted-printable) naming the order and listing each
//   line (title, sku, attributes, quantity x unit price = subtotal) and the
//   total, money as "86.42 USD".
//
// Nothing from the order's data reaches a header except the recipient, which
// must be a common::mail::is_plain_address(); titles, skus and attributes go
// to the body only, made single-line and encoded, so none can add a header,
// end the message or make a line longer than 76 characters.
#pragma once

#include <json/value.h>

#include <cstdint>
#include <ctime>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mail {

enum class OrderMailKind { kConfirmation, kShipped };

// "confirmation" | "shipped": the kind's name in the Message-ID.
const char* kind_name(OrderMailKind kind);

// "86.42 USD": cents as units with two decimals, then the currency code.
// Negative amounts keep their sign ("-0.05 USD").
std::string format_money(int64_t cents, std::string_view currency);

struct OrderMailLine {
  std::string title;  // the product's title; may be anything a user typed
  std::string sku;    // the variant's sku
  Json::Value attributes = Json::Value(Json::objectValue);  // the variant's, shown as key: value
  int64_t quantity = 0;
  int64_t unit_price_cents = 0;
  int64_t subtotal_cents = 0;
};

struct OrderMail {
  OrderMailKind kind = OrderMailKind::kConfirmation;
  int64_t order_id = 0;
  std::string to;  // the account's email
  std::string currency;
  int64_t total_cents = 0;
  std::vector<OrderMailLine> lines;
};

struct Sender {
  std::string from;    // MAIL_FROM
  std::string domain;  // MAIL_DOMAIN
};

struct ComposedMail {
  std::string message_id;  // "order-42-confirmation@localhost" (the header adds < >)
  std::string to;
  std::string text;  // the whole message, CRLF line ends, ending with CRLF
};

// Thrown by compose_order_mail when the message cannot be addressed: the
// recipient or the sender is not a plain address, or the domain not a domain
// name. Retrying does not help.
class UnaddressableMail : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// "order-<id>-<kind>@<domain>"
std::string order_message_id(int64_t order_id, OrderMailKind kind, std::string_view domain);

// The message for `order` from `sender`, dated `date`. The same arguments give
// the same bytes. Throws UnaddressableMail (see above).
ComposedMail compose_order_mail(const OrderMail& order, const Sender& sender, std::time_t date);

}  // namespace mail
