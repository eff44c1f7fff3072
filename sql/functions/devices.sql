-- The devices holding a slot on a provider's links (the check, which
-- admits them, is in check.sql). Every function takes the authenticated
-- provider's id and touches nothing of another provider's; the link is
-- named by its install code, its id, or both (then both must fit), and
-- found in the statement that acts on it; a delete takes its actor last
-- (see ll_audit). Re-applied by scripts/migrate on every run.

-- Earlier versions took the link's id alone, found by a statement before.
DROP FUNCTION IF EXISTS ll_device_list(bigint, bigint, text);
DROP FUNCTION IF EXISTS ll_device_delete(bigint, bigint, text);
-- ... and later ones wrote no audit row.
DROP FUNCTION IF EXISTS ll_device_delete(bigint, text, bigint, text);
DROP FUNCTION IF EXISTS ll_link_reset(bigint, text, bigint);
DROP FUNCTION IF EXISTS ll_self_release(text, text, integer);

-- The devices holding a slot on the provider's link, newest first;
-- p_hwid (NULL: all) filters. No row: the provider has no such link. A
-- link without the devices asked for gives one row, with link_id alone.
-- An empty header counts as absent in device_name.
CREATE OR REPLACE FUNCTION ll_device_list(p_provider bigint, p_code text,
    p_link bigint, p_hwid text,
    OUT link_id bigint, OUT hwid text, OUT date text,
    OUT device_name text, OUT device_os text, OUT os_version text,
    OUT model text, OUT app_version text, OUT user_agent text,
    OUT first_seen text, OUT last_seen text)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	SELECT l.id, d.hwid, ll_ts(d.first_seen),
	    CASE WHEN d.hwid IS NOT NULL THEN
		ll_device_name(d.model, d.device_os, d.os_version) END,
	    d.device_os, d.os_version, d.model, d.app_version, d.user_agent,
	    ll_ts(d.first_seen), ll_ts(d.last_seen)
	FROM links l LEFT JOIN devices d ON d.link_id = l.id
	    AND (p_hwid IS NULL OR d.hwid = p_hwid)
	WHERE ll_link_named(l, p_provider, p_code, p_link)
	ORDER BY d.first_seen DESC, d.hwid
$$;

-- Frees the slot device p_hwid holds on link p_link, which the caller
-- has locked: the device row deleted and the link's count down by one in
-- the same statement, so the counter and the rows never drift; audited
-- as p_action (the device as it was, with when it was last seen when
-- p_seen, and the count before and after) by the actor (see ll_audit),
-- and its device.released event. Returns the link's install_count after
-- it, or NULL when the device holds no slot there (nothing is changed).
-- Not an entry point: ll_device_delete and ll_self_release call it.
CREATE OR REPLACE FUNCTION ll_device_free(p_link bigint, p_hwid text,
    p_action text, p_seen boolean, p_actor text, p_session text,
    p_addr text)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_name		text;
	v_device	jsonb;
	v_provider	bigint;
	v_code		text;
	v_limit		integer;
	v_count		integer;
BEGIN
	DELETE FROM devices d WHERE d.link_id = p_link AND d.hwid = p_hwid
	    RETURNING ll_device_name(d.model, d.device_os, d.os_version),
		ll_device_audited(d) || CASE WHEN p_seen THEN
		jsonb_build_object('last_seen', ll_ts(d.last_seen)) ELSE
		'{}'::jsonb END
	    INTO v_name, v_device;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	UPDATE links l SET install_count = l.install_count - 1
	    WHERE l.id = p_link
	    RETURNING l.provider_id, l.install_code, l.install_limit,
		l.install_count
	    INTO v_provider, v_code, v_limit, v_count;
	PERFORM ll_audit(v_provider, p_actor, p_session, p_addr, p_action,
	    p_link, 'device ' || p_hwid || ' on link ' || v_code,
	    v_device || jsonb_build_object('install_count', v_count + 1),
	    jsonb_build_object('install_count', v_count));
	PERFORM ll_webhook_emit(v_provider, 'device.released', p_link, v_code,
	    p_hwid, v_name, v_count, v_limit);
	RETURN v_count;
END
$$;

-- Deletes a device and frees its slot (ll_device_free), audited as
-- device.delete. o_result: 'ok', 'not_found' (the provider has no such
-- link) or 'no_device' (the device holds no slot on it); o_link is the
-- link, o_count its install_count after it.
-- The link row is locked before the device row, the order ll_check takes
-- them in, so a delete and a re-check of the same device cannot deadlock.
CREATE OR REPLACE FUNCTION ll_device_delete(p_provider bigint, p_code text,
    p_link bigint, p_hwid text, p_actor text, p_session text, p_addr text,
    OUT o_result text, OUT o_link bigint, OUT o_count integer)
LANGUAGE plpgsql AS $$
DECLARE
	v_after	integer;
BEGIN
	SELECT l.id, l.install_count INTO o_link, o_count FROM links l
	    WHERE ll_link_named(l, p_provider, p_code, p_link) FOR UPDATE;
	IF NOT FOUND THEN
		o_result := 'not_found';
		RETURN;
	END IF;
	v_after := ll_device_free(o_link, p_hwid, 'device.delete', false,
	    p_actor, p_session, p_addr);
	IF v_after IS NULL THEN
		o_result := 'no_device';
		RETURN;
	END IF;
	o_count := v_after;
	o_result := 'ok';
END
$$;

-- Frees every slot of the provider's link (named by install code, id or
-- both) at once: its devices deleted and its count down by as many, each
-- with its device.released event, and one audit row (link.reset, even
-- when it freed nothing: the provider asked), in one statement.
-- o_result: 'ok' or 'not_found'; o_link is the link, o_released how many
-- slots it freed. The link row is locked first, as every admission locks
-- it: an admission waits for the reset, or the reset for it, and the
-- count stays equal to the rows. The actor comes last (see ll_audit).
CREATE OR REPLACE FUNCTION ll_link_reset(p_provider bigint, p_code text,
    p_link bigint, p_actor text, p_session text, p_addr text,
    OUT o_result text, OUT o_link bigint, OUT o_released integer)
LANGUAGE plpgsql AS $$
DECLARE
	v_code	text;
	v_limit	integer;
	v_count	integer;
	v_after	integer;
	v_sent	integer;
BEGIN
	SELECT l.id, l.install_code, l.install_limit, l.install_count
	    INTO o_link, v_code, v_limit, v_count FROM links l
	    WHERE ll_link_named(l, p_provider, p_code, p_link) FOR UPDATE;
	IF NOT FOUND THEN
		o_result := 'not_found';
		RETURN;
	END IF;
	WITH d AS (
		DELETE FROM devices d WHERE d.link_id = o_link
		RETURNING d.hwid, ll_device_name(d.model, d.device_os,
		    d.os_version) AS name
	), e AS (
		SELECT ll_webhook_emit(p_provider, 'device.released', o_link,
		    v_code, d.hwid, d.name,
		    v_count - (SELECT count(*) FROM d)::integer, v_limit)
		FROM d
	)
	SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM e)
	    INTO o_released, v_sent;
	UPDATE links l SET install_count = l.install_count - o_released
	    WHERE l.id = o_link RETURNING l.install_count INTO v_after;
	PERFORM ll_audit(p_provider, p_actor, p_session, p_addr,
	    'link.reset', o_link, 'link ' || v_code,
	    jsonb_build_object('install_count', v_count),
	    jsonb_build_object('install_count', v_after,
		'released', o_released));
	o_result := 'ok';
END
$$;

-- The end user's self-service page (the link behind the token whose
-- SHA-256 is p_token_hash, its provider active): the link's count and
-- limit, when its devices may next be released by the page (NULL: now;
-- p_cooldown hours after the last release), and its devices, newest
-- first. No row: no such page. A link without devices is one row whose
-- device columns are NULL. Nothing else of the provider's.
CREATE OR REPLACE FUNCTION ll_self_devices(p_token_hash text,
    p_cooldown integer,
    OUT link_id bigint, OUT install_count integer, OUT install_limit integer,
    OUT next_release text, OUT hwid text, OUT model text,
    OUT device_os text, OUT os_version text, OUT first_seen text,
    OUT last_seen text)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	SELECT l.id, l.install_count, l.install_limit::integer,
	    CASE WHEN s.released_at + make_interval(hours => p_cooldown)
		> now() THEN ll_ts(s.released_at +
		make_interval(hours => p_cooldown)) END,
	    d.hwid, d.model, d.device_os, d.os_version, ll_ts(d.first_seen),
	    ll_ts(d.last_seen)
	FROM self_service s JOIN links l ON l.id = s.link_id
	    JOIN providers p ON p.id = l.provider_id
	    LEFT JOIN devices d ON d.link_id = l.id
	WHERE s.token_hash = p_token_hash AND p.status = 1
	ORDER BY d.first_seen DESC, d.hwid
$$;

-- Releases device p_hwid from the link behind the self-service token
-- whose SHA-256 is p_token_hash: at most once per p_cooldown hours per
-- link (0: never), in one statement with its device.released event.
-- o_result: 'ok', 'not_found' (no such page), 'off' (releasing is
-- turned off), 'cooldown' (too soon: o_next says from when) or
-- 'no_device'; o_next is when the next release may be, o_count the
-- link's install_count after it. The link row is locked first, as for
-- any change to its devices, so two releases cannot both pass the
-- cooldown. A release is audited as device.release in the provider's
-- trail, its actor last as for every action (see ll_audit): the end
-- user, 'self-service', from their address; never the token or its hash.
CREATE OR REPLACE FUNCTION ll_self_release(p_token_hash text, p_hwid text,
    p_cooldown integer, p_actor text, p_session text, p_addr text,
    OUT o_result text, OUT o_next text, OUT o_count integer)
LANGUAGE plpgsql AS $$
DECLARE
	v_link		bigint;
	v_released	timestamptz;
	v_after		integer;
	v_cool		interval := make_interval(hours => p_cooldown);
BEGIN
	SELECT l.id, l.install_count INTO v_link, o_count
	    FROM self_service s JOIN links l ON l.id = s.link_id
		JOIN providers p ON p.id = l.provider_id
	    WHERE s.token_hash = p_token_hash AND p.status = 1
	    FOR UPDATE OF l;
	IF NOT FOUND THEN
		o_result := 'not_found';
		RETURN;
	END IF;
	IF p_cooldown <= 0 THEN
		o_result := 'off';
		RETURN;
	END IF;
	-- read once the link is locked: the last release, not a stale one
	SELECT s.released_at INTO v_released FROM self_service s
	    WHERE s.link_id = v_link;
	IF v_released + v_cool > now() THEN
		o_result := 'cooldown';
		o_next := ll_ts(v_released + v_cool);
		RETURN;
	END IF;
	v_after := ll_device_free(v_link, p_hwid, 'device.release', true,
	    p_actor, p_session, p_addr);
	IF v_after IS NULL THEN
		o_result := 'no_device';
		RETURN;
	END IF;
	UPDATE self_service s SET released_at = now() WHERE s.link_id = v_link;
	o_count := v_after;
	o_result := 'ok';
	o_next := ll_ts(now() + v_cool);
END
$$;

-- Inactivity expiry. A link with expire_days > 0 lets a device keep its
-- slot only while its last check is younger than that: last_seen, which
-- a re-check refreshes at most every ll_seen_every() (5 minutes), so a
-- device expires between expire_days and expire_days plus 5 minutes
-- after its last check.
--
-- The sweep frees the expired slots of up to p_max links in one
-- statement, with a device.expired event and a device.expire audit row
-- (actor 'server', no address) for each device, and returns how many
-- devices it freed; the row is what a provider's activity page shows
-- when a device's slot went without anyone freeing it; the sender process runs it on a timer
-- (sweep_interval) until it frees nothing. Each link row is locked first
-- (FOR UPDATE, as every admission locks it; SKIP LOCKED: a link busy now
-- is swept next time), so the count moves with the rows. The DELETE
-- re-checks last_seen on the newest version of each device row, so a
-- device whose re-check refreshed it after the sweep began is not freed.
--
-- The admission takes the slot of an expired device itself when a new
-- device asks a full link, under the same lock, so that a link full of
-- silent devices admits at once rather than at the next sweep:
-- ll_check_evict() in sql/functions/check.sql, with its race argument.
CREATE OR REPLACE FUNCTION ll_expire_sweep(p_max integer) RETURNS integer
LANGUAGE sql AS $$
	WITH k AS (
		SELECT l.id, l.provider_id, l.install_code, l.install_limit,
		    l.install_count, l.expire_days
		FROM links l
		WHERE l.expire_days > 0 AND EXISTS (SELECT 1 FROM devices d
		    WHERE d.link_id = l.id AND d.last_seen < now() -
			make_interval(days => l.expire_days))
		ORDER BY l.id
		LIMIT p_max
		FOR UPDATE OF l SKIP LOCKED
	), d AS (
		DELETE FROM devices d USING k
		WHERE d.link_id = k.id AND d.last_seen < now() -
		    make_interval(days => k.expire_days)
		RETURNING d.link_id, d.hwid, ll_device_name(d.model,
		    d.device_os, d.os_version) AS name,
		    ll_device_audited(d) || jsonb_build_object('last_seen',
		    ll_ts(d.last_seen), 'expire_days', k.expire_days) AS device
	), n AS (
		SELECT d.link_id, count(*)::integer AS freed FROM d
		GROUP BY d.link_id
	), u AS (
		UPDATE links l SET install_count = l.install_count - n.freed
		FROM n WHERE l.id = n.link_id
		RETURNING l.id, l.install_count
	), e AS (
		SELECT ll_webhook_emit(k.provider_id, 'device.expired', k.id,
		    k.install_code, d.hwid, d.name, u.install_count,
		    k.install_limit),
		    ll_audit(k.provider_id, 'server', NULL, NULL,
		    'device.expire', k.id, 'device ' || d.hwid || ' on link ' ||
		    k.install_code, d.device, jsonb_build_object(
		    'install_count', u.install_count))
		FROM d JOIN k ON k.id = d.link_id JOIN u ON u.id = d.link_id
	)
	-- one row of e per device freed (its event and its audit row)
	SELECT count(*)::integer FROM e
$$;
