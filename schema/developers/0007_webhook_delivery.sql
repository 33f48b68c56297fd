-- Webhook delivery (issue 6 §3): what the sender needs beyond what the portal stores.
--
-- `failing_since`: the first failed attempt after the endpoint's last success, whichever delivery it belonged
-- to; NULL while it is healthy. The sender disables an endpoint whose failures have lasted a day
-- (WebhookDeliveryPolicy) and clears it on a success or when the endpoint is disabled or re-enabled.
-- `response_excerpt`: the start of the receiver's answer (at most 1000 characters of the 4 KiB read), shown in
-- the delivery log so developers can see what their endpoint said.
--
-- Claiming needs no new column: a run takes a due delivery with SELECT … FOR UPDATE SKIP LOCKED and moves its
-- `next_attempt_at` to the end of a short lease in the same transaction, so another run does not see it as
-- due; the attempt is recorded only if `attempts` and `next_attempt_at` still show that lease.
ALTER TABLE webhook_endpoints
    ADD COLUMN failing_since DATETIME(6) NULL AFTER disabled_reason;

ALTER TABLE webhook_delivery_attempts
    ADD COLUMN response_excerpt VARCHAR(1000) NULL AFTER error;
