-- 0006_order_event_reason: why an order moved, when the system moved it.
--
-- An order the job runner cancels because it stayed unpaid past
-- ORDER_PAYMENT_TTL_S gets an event with actor_user_id NULL (shown as actor
-- "system") and reason 'payment_timeout'. Events made by a person keep
-- reason NULL.

ALTER TABLE order_events
  ADD COLUMN reason text CONSTRAINT order_events_reason_check CHECK (length(reason) BETWEEN 1 AND 64);
