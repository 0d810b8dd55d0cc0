#include "workers/mail/order_mail.h"

#include "common/json.h"
#include "common/mail_address.h"
#include "workers/mail/mime.h"

namespace mail {

namespace {

std::string subject_of(const OrderMail& order) {
  const std::string id = std::to_string(order.order_id);
  return order.kind == OrderMailKind::kConfirmation ? "Your order " + id + " is confirmed"
                                                    : "Your order " + id + " has shipped";
}

std::string opening_of(const OrderMail& order) {
  const std::string id = std::to_string(order.order_id);
  return order.kind == OrderMailKind::kConfirmation
             ? "Thank you for your order " + id + ". We have received it and reserved its items."
             : "Good news: your order " + id + " has shipped.";
}

// `color: silver, storage_gb: 512`; "" for no attributes.
std::string attributes_text(const Json::Value& attributes) {
  if (!attributes.isObject() || attributes.empty()) return "";
  std::string out;
  for (const std::string& name : attributes.getMemberNames()) {
    const Json::Value& value = attributes[name];
    if (!out.empty()) out += ", ";
    out += name + ": " + (value.isString() ? value.asString() : common::json::write(value));
  }
  return out;
}

std::string body_of(const OrderMail& order) {
  std::string body = opening_of(order) + "\n\nOrder " + std::to_string(order.order_id) + "\n\n";
  for (const OrderMailLine& line : order.lines) {
    body += "- " + single_line_text(line.title) + "\n";
    body += "  sku " + single_line_text(line.sku);
    if (const std::string attributes = attributes_text(line.attributes); !attributes.empty()) {
      body += " (" + single_line_text(attributes) + ")";
    }
    body += "\n";
    body += "  " + std::to_string(line.quantity) + " x " +
            format_money(line.unit_price_cents, order.currency) + " = " +
            format_money(line.subtotal_cents, order.currency) + "\n";
  }
  body += "\nTotal: " + format_money(order.total_cents, order.currency) + "\n";
  return body;
}

}  // namespace

const char* kind_name(OrderMailKind kind) {
  return kind == OrderMailKind::kConfirmation ? "confirmation" : "shipped";
}

std::string format_money(int64_t cents, std::string_view currency) {
  const bool negative = cents < 0;
  // Through unsigned, so INT64_MIN has a magnitude too.
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(cents) : cents;
  const uint64_t fraction = magnitude % 100;
  std::string out = negative ? "-" : "";
  out +=
      std::to_string(magnitude / 100) + "." + (fraction < 10 ? "0" : "") + std::to_string(fraction);
  out += " ";
  out += single_line_text(currency);
  return out;
}

std::string order_message_id(int64_t order_id, OrderMailKind kind, std::string_view domain) {
  return "order-" + std::to_string(order_id) + "-" + kind_name(kind) + "@" + std::string(domain);
}

ComposedMail compose_order_mail(const OrderMail& order, const Sender& sender, std::time_t date) {
  if (!common::mail::is_plain_address(order.to)) {
    throw UnaddressableMail("the recipient is not an address mail can be sent to");
  }
  if (!common::mail::is_plain_address(sender.from)) {
    throw UnaddressableMail("MAIL_FROM is not a plain address");
  }
  if (!common::mail::is_domain_name(sender.domain)) {
    throw UnaddressableMail("MAIL_DOMAIN is not a domain name");
  }
  ComposedMail mail;
  mail.message_id = order_message_id(order.order_id, order.kind, sender.domain);
  mail.to = order.to;
  std::string& t = mail.text;
  t += "Date: " + rfc5322_date(date) + "\r\n";
  t += "From: " + sender.from + "\r\n";
  t += "To: " + order.to + "\r\n";
  t += "Subject: " + header_text(subject_of(order), 7) + "\r\n";
  t += "Message-ID: <" + mail.message_id + ">\r\n";
  t += "MIME-Version: 1.0\r\n";
  t += "Content-Type: text/plain; charset=UTF-8\r\n";
  t += "Content-Transfer-Encoding: quoted-printable\r\n";
  t += "\r\n";
  t += quoted_printable(body_of(order));
  if (!t.ends_with("\r\n")) t += "\r\n";
  return mail;
}

}  // namespace mail
