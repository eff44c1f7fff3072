-- Whether a provider has a webhook, on its row, where the check reads it
-- with the rest of the provider: a new device's admission or refusal
-- then knows whether to write an event without a statement of its own
-- (probing webhooks in the check cost a new device's admission and a
-- refusal several per cent of their work). ll_webhook_set() and
-- ll_webhook_delete() keep it, in the statement that changes the
-- webhook; ll_webhook_emit() still reads the webhook itself, so a flag
-- read a moment before a delete writes nothing.
ALTER TABLE providers ADD COLUMN webhook boolean NOT NULL DEFAULT false;
UPDATE providers p SET webhook = true
	WHERE EXISTS (SELECT 1 FROM webhooks w WHERE w.provider_id = p.id);
