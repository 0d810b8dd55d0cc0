#include "workers/jobs/order_mail_jobs.h"

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

#include "common/json.h"
#include "common/log.h"
#include "workers/mail/order_mail.h"
#include "workers/mail/smtp_client.h"
#include "workers/repositories/mail_repository.h"
#include "workers/repositories/order_repository.h"

namespace jobs {

namespace {

using mail::OrderMailKind;

int64_t order_id_of(const Json::Value& payload) {
  const Json::Value& id = payload.isObject() ? payload["order_id"] : Json::Value::nullSingleton();
  if (!id.isIntegral() || id.isBool() || !id.isInt64() || id.asInt64() <= 0) {
    throw JobFailed("the payload has no positive integer order_id");
  }
  return id.asInt64();
}

mail::OrderMail load_order_mail(common::pg::Connection& db, int64_t order_id, OrderMailKind kind) {
  const std::optional<repo::OrderDetail> detail = repo::find_order(db, order_id, std::nullopt);
  const std::optional<std::string> email = repo::order_account_email(db, order_id);
  if (!detail || !email) throw JobFailed("order " + std::to_string(order_id) + " does not exist");
  mail::OrderMail order;
  order.kind = kind;
  order.order_id = order_id;
  order.to = *email;
  order.currency = detail->order.currency;
  order.total_cents = detail->order.total_cents;
  for (const repo::OrderItemRow& item : detail->items) {
    mail::OrderMailLine line;
    line.title = item.product_title.value_or("(no longer in the catalogue)");
    line.sku = item.variant_sku.value_or("-");
    line.attributes = common::json::parse_trusted(item.attributes_json);
    line.quantity = item.quantity;
    line.unit_price_cents = item.unit_price_cents;
    line.subtotal_cents = item.subtotal_cents;
    order.lines.push_back(std::move(line));
  }
  return order;
}

Json::Value send_order_mail(JobContext& ctx, const Json::Value& payload, OrderMailKind kind) {
  const int64_t order_id = order_id_of(payload);
  const mail::OrderMail order = load_order_mail(ctx.db, order_id, kind);
  const mail::Sender sender{ctx.config.mail_from, ctx.config.mail_domain};
  mail::ComposedMail message;
  try {
    message = mail::compose_order_mail(order, sender, std::time(nullptr));
  } catch (const mail::UnaddressableMail& e) {
    throw JobFailed(std::string("order ") + std::to_string(order_id) + ": " + e.what());
  }
  const mail::SmtpSettings smtp = mail::smtp_settings(ctx.config);
  const mail::SendResult sent = mail::send_mail(smtp, sender.from, message.to, message.text);
  const common::log::Fields fields = {{"job_id", Json::Int64(ctx.job_id)},
                                      {"attempt", ctx.attempt},
                                      {"order_id", Json::Int64(order_id)},
                                      {"kind", mail::kind_name(kind)},
                                      {"message_id", message.message_id},
                                      {"server", mail::redacted_url(smtp.url)},
                                      {"outcome", mail::outcome_name(sent.outcome)},
                                      {"smtp_reply", Json::Int64(sent.reply_code)},
                                      {"detail", sent.detail}};
  switch (sent.outcome) {
    case mail::SendOutcome::kAccepted: {
      common::log::info("order mail accepted", fields);
      Json::Value result(Json::objectValue);
      result["message_id"] = message.message_id;
      result["to"] = message.to;
      result["smtp_reply"] = Json::Int64(sent.reply_code);
      return result;
    }
    case mail::SendOutcome::kPermanent:
      common::log::error("order mail refused", fields);
      throw JobFailed("SMTP refused the message: " + sent.detail);
    case mail::SendOutcome::kTransient:
      break;
  }
  common::log::warn("order mail not sent, will retry", fields);
  throw JobRetry("SMTP unavailable: " + sent.detail);
}

}  // namespace

Json::Value send_order_confirmation(JobContext& ctx, const Json::Value& payload) {
  return send_order_mail(ctx, payload, OrderMailKind::kConfirmation);
}

Json::Value send_order_shipped(JobContext& ctx, const Json::Value& payload) {
  return send_order_mail(ctx, payload, OrderMailKind::kShipped);
}

}  // namespace jobs
