-- A device's life beyond its admission: slots that expire after days
-- without a check, the end user's self-service page, and the provider's
-- webhook with its outbox. (The functions are in sql/functions/.)

-- How many days without a check a device keeps its slot; 0: for ever.
-- A domain rather than a CHECK on links: PostgreSQL evaluates every CHECK
-- of a table on every UPDATE of a row, and every admission rewrites its
-- link's row, while a domain's check runs only when a value is assigned
-- to it. The domain has no check yet when the column is added, so that
-- the column's default is stored once and no row is rewritten; adding the
-- check then validates the rows in place.
CREATE DOMAIN ll_expire_days AS integer;
ALTER TABLE links ADD COLUMN expire_days ll_expire_days NOT NULL DEFAULT 0;
ALTER DOMAIN ll_expire_days ADD CONSTRAINT ll_expire_days_range
	CHECK (VALUE BETWEEN 0 AND 3650);
-- the sweep's way to the links that expire devices; no admission changes
-- expire_days, so this index keeps their updates HOT
CREATE INDEX links_expiring ON links (id) WHERE expire_days > 0;

-- A link's self-service page, at /my/TOKEN: only the SHA-256 of the
-- token is stored, so the URL can be shown only when it is made. The
-- last release through the page starts its cooldown.
CREATE TABLE self_service (
	link_id		bigint PRIMARY KEY REFERENCES links ON DELETE CASCADE,
	token_hash	text NOT NULL UNIQUE
			CHECK (token_hash ~ '^[a-f0-9]{64}$'),
	created_at	timestamptz NOT NULL DEFAULT now(),
	released_at	timestamptz
);

-- A provider's one webhook. The secret signs every delivery, so it is
-- kept as it is (the sender needs it); it leaves the database only to the
-- sender, and the API shows it once, when set-webhook draws it.
CREATE TABLE webhooks (
	provider_id	bigint PRIMARY KEY REFERENCES providers ON DELETE CASCADE,
	url		text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
	events		text[] NOT NULL CHECK (cardinality(events) > 0 AND
			    events <@ ARRAY['device.admitted', 'device.refused',
			    'link.full', 'device.released', 'device.expired']),
	secret		text NOT NULL CHECK (secret ~ '^whsec_[A-Za-z0-9]{32}$'),
	created_at	timestamptz NOT NULL DEFAULT now()
);

-- The outbox: one row per event for a provider whose webhook takes its
-- type, written in the transaction that made the decision, so an event
-- exists exactly when its decision committed. body is the JSON exactly as
-- it is sent and signed. The sender claims due rows (next_at), and each
-- try moves next_at on, so a sender that dies mid-delivery leaves the row
-- to be tried again: delivery is at least once. tries_since is when the
-- current run of tries began (made, or resent), from which the sender
-- gives up.
CREATE TABLE webhook_events (
	id		bigserial PRIMARY KEY,
	event_id	text NOT NULL UNIQUE,
	provider_id	bigint NOT NULL REFERENCES providers ON DELETE CASCADE,
	type		text NOT NULL,
	body		text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	state		text NOT NULL DEFAULT 'pending'
			CHECK (state IN ('pending', 'delivered', 'failed')),
	attempts	integer NOT NULL DEFAULT 0,
	tries_since	timestamptz NOT NULL DEFAULT now(),
	next_at		timestamptz NOT NULL DEFAULT now(),
	done_at		timestamptz,
	last_status	integer,
	last_error	text
);
CREATE INDEX webhook_events_due ON webhook_events (next_at)
	WHERE state = 'pending';
CREATE INDEX webhook_events_provider ON webhook_events (provider_id, id DESC);
CREATE INDEX webhook_events_done ON webhook_events (done_at)
	WHERE state <> 'pending';

-- Every try of a delivery: what the receiver answered, or why there was
-- no answer.
CREATE TABLE webhook_deliveries (
	id		bigserial PRIMARY KEY,
	event		bigint NOT NULL REFERENCES webhook_events ON DELETE CASCADE,
	attempt		integer NOT NULL,
	at		timestamptz NOT NULL DEFAULT now(),
	http_status	integer,
	error		text CHECK (length(error) <= 255),
	ms		integer
);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event, id);
