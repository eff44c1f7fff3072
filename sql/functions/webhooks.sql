-- A provider's webhook and its outbox: what set-webhook, get-webhook and
-- delete-webhook do, the events that the statements deciding about
-- devices write, and what the sender process claims and records.
-- Re-applied by scripts/migrate on every run, after common.sql and
-- before the files whose functions write events.
--
-- An event is one row of webhook_events, written by ll_webhook_emit() in
-- the transaction that made the decision, and only when the provider's
-- webhook takes its type: it exists exactly when the decision committed,
-- and costs nothing to a provider without a webhook but one index probe.
-- Its body is the JSON sent, fixed when the decision is made:
--   {"id":"evt_…","type":"device.released","created":"YYYY-MM-DD HH:MM:SS",
--    "provider_code":"…","install_id":N,"install_code":"…","hwid":"…",
--    "device_name":"…","install_count":N,"install_limit":N}

-- Earlier versions wrote no audit row.
DROP FUNCTION IF EXISTS ll_webhook_set(bigint, text, text, text);
DROP FUNCTION IF EXISTS ll_webhook_delete(bigint);
DROP FUNCTION IF EXISTS ll_webhook_resend(bigint, text);

-- The event types a webhook may take, in the order lists show them.
CREATE OR REPLACE FUNCTION ll_webhook_types() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
	SELECT ARRAY['device.admitted', 'device.refused', 'link.full',
	    'device.released', 'device.expired']
$$;

-- A new event id: "evt_" and 32 random hex digits.
CREATE OR REPLACE FUNCTION ll_webhook_id() RETURNS text
LANGUAGE sql VOLATILE AS $$
	SELECT 'evt_' || replace(gen_random_uuid()::text, '-', '')
$$;

-- A text as a JSON string, or null.
CREATE OR REPLACE FUNCTION ll_json(p text) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT coalesce(to_json(p)::text, 'null')
$$;

-- An event's body: compact JSON, its members always in this order.
CREATE OR REPLACE FUNCTION ll_webhook_body(p_id text, p_type text,
    p_created timestamptz, p_provider_code text, p_link bigint,
    p_code text, p_hwid text, p_device_name text, p_count integer,
    p_limit integer) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT '{"id":' || ll_json(p_id) || ',"type":' || ll_json(p_type) ||
	    ',"created":' || ll_json(ll_ts(p_created)) ||
	    ',"provider_code":' || ll_json(p_provider_code) ||
	    ',"install_id":' || coalesce(p_link::text, 'null') ||
	    ',"install_code":' || ll_json(p_code) ||
	    ',"hwid":' || ll_json(p_hwid) ||
	    ',"device_name":' || ll_json(p_device_name) ||
	    ',"install_count":' || coalesce(p_count::text, 'null') ||
	    ',"install_limit":' || coalesce(p_limit::text, 'null') || '}'
$$;

-- Writes an event of type p_type into the outbox when the provider's
-- webhook takes that type, nothing otherwise: about link p_link (install
-- code p_code, limit p_limit, p_count devices holding a slot once the
-- decision is made) and device p_hwid (named p_device_name, as
-- ll_device_name() gives it). Runs in the caller's transaction. Not an
-- entry point: the functions that decide call it; the check calls it
-- through ll_check_emit() and ll_check_evict() (sql/functions/check.sql)
-- for device.admitted (a new device took a slot), link.full (that slot
-- was the last one), device.refused (a new device was refused because
-- the link is full) and device.expired (a new device took an expired
-- device's slot), only when the provider has a webhook.
--
-- PL/pgSQL rather than SQL: PostgreSQL 15 parses and plans a SQL
-- function's statement again in every statement that calls it, which
-- cost an admission that wrote its events five times its own work;
-- PL/pgSQL keeps the plan for the session.
CREATE OR REPLACE FUNCTION ll_webhook_emit(p_provider bigint, p_type text,
    p_link bigint, p_code text, p_hwid text, p_device_name text,
    p_count integer, p_limit integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO webhook_events (event_id, provider_id, type, body)
	SELECT e.id, w.provider_id, p_type, ll_webhook_body(e.id, p_type,
	    now(), p.code, p_link, p_code, p_hwid, p_device_name, p_count,
	    p_limit)
	FROM webhooks w JOIN providers p ON p.id = w.provider_id,
	    LATERAL (SELECT ll_webhook_id() AS id) e
	WHERE w.provider_id = p_provider AND p_type = ANY (w.events);
END
$$;

-- A webhook URL as audit rows keep it: a receiver may put a token of its
-- own in the query or before the host, and the audit trail is readable by
-- the BI role; so the values of the query and any user part are "…", the
-- fragment dropped, the rest as it is (which host, which path, which keys).
CREATE OR REPLACE FUNCTION ll_url_masked(p_url text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN strpos(v.u, '?') = 0 THEN v.u
	    ELSE split_part(v.u, '?', 1) || '?' || regexp_replace(
		substr(v.u, strpos(v.u, '?') + 1), '=[^&]*', '=…', 'g') END
	FROM (SELECT regexp_replace(regexp_replace(p_url, '#.*$', ''),
	    '^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@]*@', '\1…@') AS u) v
$$;

-- Registers the provider's webhook or replaces it, all at once: its URL,
-- the event types it takes (a comma list of ll_webhook_types()'s) and its
-- signing secret. Events already waiting go to the new URL, signed with
-- the new secret. Audited as webhook.set with the URL (masked) and types before
-- (none: a new webhook) and after, never the secret; the actor comes
-- last (see ll_audit). Returns 'ok'.
CREATE OR REPLACE FUNCTION ll_webhook_set(p_provider bigint, p_url text,
    p_events text, p_secret text, p_actor text, p_session text,
    p_addr text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_old	jsonb;
	v_new	jsonb;
BEGIN
	-- locked: the values audited as before are the ones replaced
	SELECT jsonb_build_object('url', ll_url_masked(w.url), 'events',
	    to_jsonb(w.events))
	    INTO v_old FROM webhooks w WHERE w.provider_id = p_provider
	    FOR UPDATE;
	INSERT INTO webhooks AS w (provider_id, url, events, secret)
	VALUES (p_provider, p_url, ARRAY(
		SELECT t.name FROM unnest(ll_webhook_types())
		    WITH ORDINALITY AS t(name, n)
		WHERE t.name = ANY (string_to_array(p_events, ','))
		ORDER BY t.n), p_secret)
	ON CONFLICT (provider_id) DO UPDATE SET url = excluded.url,
	    events = excluded.events, secret = excluded.secret,
	    created_at = now()
	RETURNING jsonb_build_object('url', ll_url_masked(w.url), 'events',
	    to_jsonb(w.events)) INTO v_new;
	-- what the check reads (sql/012_webhook_flag.sql)
	UPDATE providers p SET webhook = true
	    WHERE p.id = p_provider AND NOT p.webhook;
	PERFORM ll_audit(p_provider, p_actor, p_session, p_addr,
	    'webhook.set', NULL, 'webhook', v_old, v_new);
	RETURN 'ok';
END
$$;

-- The provider's webhook, without its secret; no row when it has none.
CREATE OR REPLACE FUNCTION ll_webhook_get(p_provider bigint,
    OUT url text, OUT events text, OUT created_at text)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	SELECT w.url, array_to_string(w.events, ','), ll_ts(w.created_at)
	FROM webhooks w WHERE w.provider_id = p_provider
$$;

-- Deletes the provider's webhook; its events still waiting have nowhere
-- to go any more and are marked failed. Audited as webhook.delete with
-- the URL (masked) and types it had (never its secret); the actor comes last (see
-- ll_audit). Returns whether there was one; none: no row.
CREATE OR REPLACE FUNCTION ll_webhook_delete(p_provider bigint,
    p_actor text, p_session text, p_addr text)
RETURNS boolean
LANGUAGE sql AS $$
	WITH d AS (
		DELETE FROM webhooks w WHERE w.provider_id = p_provider
		RETURNING jsonb_build_object('url', ll_url_masked(w.url),
		    'events', to_jsonb(w.events)) AS old
	), f AS (
		UPDATE webhook_events e SET state = 'failed', done_at = now(),
		    last_error = 'webhook deleted'
		WHERE e.provider_id = p_provider AND e.state = 'pending'
		    AND EXISTS (SELECT 1 FROM d)
	), p AS (
		UPDATE providers p SET webhook = false
		WHERE p.id = p_provider AND p.webhook
	), a AS (
		SELECT ll_audit(p_provider, p_actor, p_session, p_addr,
		    'webhook.delete', NULL, 'webhook', d.old, NULL) FROM d
	)
	SELECT EXISTS (SELECT 1 FROM a)
$$;

-- The provider's newest p_limit events, for the web account: each with
-- its state, its tries, the last answer and when the next try is due.
CREATE OR REPLACE FUNCTION ll_webhook_events(p_provider bigint,
    p_limit integer,
    OUT event_id text, OUT type text, OUT created_at text, OUT state text,
    OUT attempts integer, OUT next_at text, OUT last_status integer,
    OUT last_error text, OUT install_code text, OUT hwid text)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	SELECT e.event_id, e.type, ll_ts(e.created_at), e.state, e.attempts,
	    CASE WHEN e.state = 'pending' THEN ll_ts(e.next_at) END,
	    e.last_status, e.last_error, e.body::json ->> 'install_code',
	    e.body::json ->> 'hwid'
	FROM webhook_events e WHERE e.provider_id = p_provider
	ORDER BY e.id DESC LIMIT p_limit
$$;

-- Sends the provider's event p_event again from now on, as a new run of
-- tries, whatever became of it; the receiver gets the same id again.
-- Audited as webhook.resend on the event's link, with its state before
-- and after; the actor comes last (see ll_audit). Returns whether the
-- provider has such an event and a webhook to send it to.
CREATE OR REPLACE FUNCTION ll_webhook_resend(p_provider bigint,
    p_event text, p_actor text, p_session text, p_addr text)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint;
	v_link	bigint;
	v_old	jsonb;
BEGIN
	SELECT e.id, (e.body::jsonb ->> 'install_id')::bigint,
	    jsonb_build_object('type', e.type, 'state', e.state,
		'attempts', e.attempts)
	    INTO v_id, v_link, v_old FROM webhook_events e
	    WHERE e.provider_id = p_provider AND e.event_id = p_event
		AND EXISTS (SELECT 1 FROM webhooks w
		    WHERE w.provider_id = p_provider)
	    FOR UPDATE OF e;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	UPDATE webhook_events e SET state = 'pending', next_at = now(),
	    tries_since = now(), done_at = NULL
	    WHERE e.id = v_id;
	PERFORM ll_audit(p_provider, p_actor, p_session, p_addr,
	    'webhook.resend', v_link, 'event ' || p_event, v_old,
	    v_old || jsonb_build_object('state', 'pending'));
	RETURN true;
END
$$;

-- The sender's: claims up to p_max events that are due, the longest due
-- first, and answers what their delivery needs. A claim counts a try and
-- moves next_at p_lease seconds on (past the longest a try may take), so
-- an event whose sender dies mid-delivery is tried again when the lease
-- ends: at least once, never lost. SKIP LOCKED: the senders of several
-- instances on one database never claim a row together, nor wait on each
-- other.
CREATE OR REPLACE FUNCTION ll_webhook_claim(p_max integer, p_lease integer,
    OUT id bigint, OUT event_id text, OUT type text, OUT url text,
    OUT secret text, OUT body text, OUT attempt integer)
RETURNS SETOF record
LANGUAGE sql AS $$
	WITH c AS (
		SELECT e.id FROM webhook_events e
		WHERE e.state = 'pending' AND e.next_at <= now()
		ORDER BY e.next_at
		LIMIT p_max
		FOR UPDATE SKIP LOCKED
	)
	UPDATE webhook_events e SET attempts = e.attempts + 1,
	    next_at = now() + make_interval(secs => p_lease)
	FROM c, webhooks w
	WHERE e.id = c.id AND w.provider_id = e.provider_id
	RETURNING e.id, e.event_id, e.type, w.url, w.secret, e.body,
	    e.attempts
$$;

-- The sender's: records try p_attempt of event p_id, which took p_ms and
-- got HTTP status p_status (0: no answer, p_error says why). A 2xx answer
-- delivers the event. Otherwise the next try comes p_min seconds later,
-- twice as long after each try, at most p_max, until p_give_up seconds
-- from the start of its tries, when the last try is made; if that fails,
-- the event is marked failed. A try whose event was claimed again since
-- (its lease ran out) changes only a delivery to delivered. Returns
-- whether the event's state was set.
CREATE OR REPLACE FUNCTION ll_webhook_result(p_id bigint, p_attempt integer,
    p_status integer, p_error text, p_ms integer, p_min integer,
    p_max integer, p_give_up integer) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	v_ok	boolean := p_status BETWEEN 200 AND 299;
	v_pause	interval := make_interval(secs => least(p_max::float8,
	    p_min * power(2::float8, least(greatest(p_attempt - 1, 0), 30))));
	v_end	interval := make_interval(secs => p_give_up);
BEGIN
	INSERT INTO webhook_deliveries (event, attempt, http_status, error, ms)
	    SELECT p_id, p_attempt, nullif(p_status, 0), left(p_error, 255),
		p_ms
	    WHERE EXISTS (SELECT 1 FROM webhook_events e WHERE e.id = p_id);
	UPDATE webhook_events e SET
	    last_status = nullif(p_status, 0), last_error = left(p_error, 255),
	    state = CASE WHEN v_ok THEN 'delivered'
		WHEN now() >= e.tries_since + v_end THEN 'failed'
		ELSE 'pending' END,
	    done_at = CASE WHEN v_ok OR now() >= e.tries_since + v_end
		THEN now() END,
	    next_at = least(now() + v_pause, e.tries_since + v_end)
	    WHERE e.id = p_id AND e.state = 'pending'
		AND (v_ok OR e.attempts = p_attempt);
	RETURN FOUND;
END
$$;

-- The sender's, on its sweep: forgets the events delivered or failed
-- more than p_days days ago, with their tries, at most p_max of them.
-- Returns how many.
CREATE OR REPLACE FUNCTION ll_webhook_prune(p_days integer, p_max integer)
RETURNS integer
LANGUAGE sql AS $$
	WITH d AS (
		DELETE FROM webhook_events e WHERE e.id IN (
			SELECT o.id FROM webhook_events o
			WHERE o.state <> 'pending'
			    AND o.done_at < now() - make_interval(days => p_days)
			LIMIT p_max)
		RETURNING 1
	)
	SELECT count(*)::integer FROM d
$$;
