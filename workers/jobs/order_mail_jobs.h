// The email queue's two job kinds (workers/jobs/job_kinds.h), as handlers for
// the job runner's table (workers/jobs/job_handler.h):
//
//   order.confirmation  {order_id}  the order confirmation, when an order is placed
//   order.shipped       {order_id}  the shipping notice, when it ships
//
// Each loads the order, its lines and the account's email, composes the
// message (workers/mail/order_mail.h; Message-ID
// <order-{order_id}-{confirmation|shipped}@MAIL_DOMAIN>) and sends it over
// SMTP_URL (workers/mail/smtp_client.h). The job is done only once the server
// has accepted the message:
//   accepted        returns {message_id, to, smtp_reply} (the job's result);
//   transient       throws JobRetry with the reason (server down or slow, 4xx,
//                   TLS failure, SMTP_URL unset): sent again after backoff;
//   permanent       throws JobFailed: the server answered 5xx, the payload has
//                   no positive integer order_id, the order does not exist, or
//                   its account's email cannot be addressed.
// Idempotent as the contract asks: nothing is written to the database, and a
// retry before acceptance sends the one message that was not accepted. Only a
// runner that dies between the server's "250" and the job's completion sends
// a second copy, with the same Message-ID.
#pragma once

#include <json/value.h>

#include "workers/jobs/job_handler.h"

namespace jobs {

Json::Value send_order_confirmation(JobContext& ctx, const Json::Value& payload);
Json::Value send_order_shipped(JobContext& ctx, const Json::Value& payload);

}  // namespace jobs
