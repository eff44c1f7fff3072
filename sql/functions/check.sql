-- The check endpoint: may this device add this link? Re-applied by
-- scripts/migrate on every run.
--
-- One call, one round trip, safe under READ COMMITTED.
--
-- Measured with callgrind per call on a single backend (README.md,
-- "Benchmark"): simple statements run one after another cost less than
-- one statement that does it all. PostgreSQL 15 sets up every node and
-- expression of a plan again for each execution, and a data-modifying
-- CTE chain (read, take, insert, in one statement) costs more to set up
-- than the few statements below cost together, for new devices (16%
-- more) and far more for re-checks, which would set up all of it to
-- read one row.
--
-- A device that holds a slot is answered from two plain reads (and its
-- last_seen refreshed at most every ll_seen_every()). A new device takes
-- a slot with an UPDATE of the link row that only matches while
-- install_count is below the limit: the row lock serialises admissions
-- to one link, and PostgreSQL re-checks the WHERE clause on the newest
-- row version after waiting for the lock (EvalPlanQual), so however many
-- devices ask at once, no more than the limit get in; the CHECK on the
-- count backs this up. The device row is inserted in the same
-- transaction.
--
-- The same device asking twice at once: both requests may find no row
-- for it. The one that waits for the link row's lock takes a slot after
-- the first has committed, and its insert then meets the first one's row
-- (ON CONFLICT sees committed rows, whatever the statement's snapshot):
-- it hands the slot back and admits. If instead its UPDATE matched
-- nothing (the first one took the last slot), a last read, with a newer
-- snapshot, finds the device's row and admits. A device is never refused
-- because of itself, and the count stays equal to the rows.
--
-- A re-check that goes to refresh its row and finds it gone (released,
-- swept or its slot taken as expired since its read) asks on as a new
-- device; it never answers import:true without a row.
--
-- A new device on a full link that expires silent devices (expire_days
-- > 0) takes the slot of the longest-silent expired one:
-- ll_check_evict() below. Links that never expire pay one IF for it, on
-- the refusal alone.
--
-- Webhook events (sql/functions/webhooks.sql) are written in the
-- decision's transaction: device.admitted for a new device that took a
-- slot, and link.full when that slot was the last; device.refused for a
-- new device refused because the link is full; device.expired and
-- device.admitted for a swap. Whether the provider has a webhook comes
-- with the provider's row in the first read (providers.webhook,
-- sql/012_webhook_flag.sql): a statement of its own to probe webhooks
-- cost a new device's admission several per cent of its work. Events are
-- written (ll_check_emit(), ll_check_evict()) only when it has one, and
-- re-checks write nothing.
--
-- Lock order: a slot taken locks the link row, then writes the device
-- row; a refresh writes only the device row; ll_device_delete() locks the
-- link row, then deletes the device row. No two of them wait on each
-- other in opposite orders.
--
-- Every expression PL/pgSQL evaluates itself (an IF, an assignment) is
-- set up again in each transaction, so the reads compute what the steps
-- test: a re-check evaluates four.
--
-- ll_check()'s body is kept short, its comments out here: pg_proc keeps
-- a function's row within about 2 kB by compressing its largest
-- columns, and a longer body had its argument lists compressed too,
-- which PostgreSQL then decompressed several times on every call (3% of
-- a re-check, by callgrind; tests/integration/check-lifecycle.test.mjs
-- watches for it). What only some calls need is in the helpers below.
-- Reading the body: the first read leaves o_decision NULL while the
-- device may go on, and o_link_id NULL when there is no such link; the
-- last read serves a link found full, or disabled meanwhile (counted as
-- full: a race of the moment), and sees a row that a concurrent call
-- made for this very device.

-- How old last_seen may grow before a re-check refreshes it, so that
-- re-checks stay reads.
CREATE OR REPLACE FUNCTION ll_seen_every() RETURNS interval
LANGUAGE sql IMMUTABLE AS $$ SELECT interval '5 minutes' $$;

-- The check's webhook events about new device p_hwid (its headers
-- p_os, p_os_version, p_model name it) on link p_link: p_type
-- ('device.admitted' or 'device.refused'), and link.full after a
-- device.admitted that took the last slot. Called by ll_check() with the
-- link row locked (admitted) or just read (refused), so the count is the
-- decision's.
-- PL/pgSQL, as ll_webhook_emit() is, so that its plan is kept.
CREATE OR REPLACE FUNCTION ll_check_emit(p_provider bigint, p_link bigint,
    p_type text, p_hwid text, p_os text, p_os_version text, p_model text)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM ll_webhook_emit(p_provider, t.type, l.id, l.install_code,
	    p_hwid, ll_device_name(p_model, p_os, p_os_version),
	    l.install_count, l.install_limit)
	    FROM links l, unnest(ARRAY[p_type, 'link.full'])
		WITH ORDINALITY AS t(type, n)
	    WHERE l.id = p_link AND (t.n = 1 OR (p_type = 'device.admitted'
		AND l.install_count >= l.install_limit))
	    ORDER BY t.n;
END
$$;

-- A new device asking link p_link, which ll_check() found full and
-- expiring silent devices (p_expire, its expire_days as ll_check() read
-- it): takes the slot of the longest-silent device whose last check is
-- older than the link's expire_days, with its device.expired and
-- device.admitted events when p_hook (the provider has a webhook).
-- Returns whether it did; the other arguments are ll_check()'s. A link
-- whose devices all checked within p_expire days is refused after a
-- plain read, without taking its lock.
--
-- Race-proof as the admission is:
-- - The link row is locked first (FOR UPDATE), as every admission,
--   delete, reset, release and sweep of the link locks it, and only
--   while it is still full, active and expiring. The statement after the
--   lock reads the rows as they are once it is held (READ COMMITTED takes
--   a snapshot per statement), so nothing that changes the link's devices
--   runs between the choice and the swap.
-- - Never more than the limit: one row out, one row in, the count
--   unmoved. This device's own row, made by a call of the same device
--   that held the lock before, is seen after the lock, and then nothing
--   is taken (ll_check() reads it and admits). A device's row is only
--   made under the lock, so the INSERT cannot conflict; if it did, the
--   error would undo the DELETE.
-- - One winner per expired slot: callers queued on the lock take it in
--   turn, each sees the rows its predecessors left, and finds the slot
--   gone.
-- - Never a live device: a re-check refreshes last_seen without the
--   link's lock, so the DELETE tests last_seen again, on the newest
--   version of the row (EvalPlanQual): a device refreshed meanwhile
--   keeps its slot, and the new device is refused (a race of the
--   moment). A re-check that comes after the DELETE finds its row gone
--   and asks as a new device.
-- Precision: last_seen moves at most every ll_seen_every() (see
-- ll_expire_sweep(), sql/functions/devices.sql).
CREATE OR REPLACE FUNCTION ll_check_evict(p_provider bigint, p_link bigint,
    p_expire integer, p_hook boolean, p_hash text, p_hwid text, p_os text,
    p_os_version text, p_model text, p_app_version text, p_user_agent text)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	v_keep		interval;
	v_old		text;
	v_name		text;
	v_device	jsonb;
BEGIN
	-- none expired, as a plain read sees the rows: none is (a row it
	-- does not see is newer, a refresh only makes it younger), and the
	-- refusal stays a read, without the lock's write
	PERFORM 1 FROM devices o WHERE o.link_id = p_link
	    AND o.last_seen < now() - make_interval(days => p_expire) LIMIT 1;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	SELECT make_interval(days => l.expire_days) INTO v_keep
	    FROM links l WHERE l.id = p_link AND l.status = 10
		AND l.expire_days > 0 AND l.install_count >= l.install_limit
	    FOR UPDATE;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	WITH old AS (
		DELETE FROM devices d
		WHERE d.link_id = p_link AND d.hwid = (
		    SELECT o.hwid FROM devices o
		    WHERE o.link_id = p_link AND o.last_seen < now() - v_keep
		    ORDER BY o.last_seen, o.hwid LIMIT 1)
		    AND d.last_seen < now() - v_keep
		    AND NOT EXISTS (SELECT 1 FROM devices m
			WHERE m.link_id = p_link AND m.hwid = p_hwid)
		RETURNING d.hwid, ll_device_name(d.model, d.device_os,
		    d.os_version) AS name,
		    ll_device_audited(d) || jsonb_build_object(
		    'last_seen', ll_ts(d.last_seen), 'expire_days', p_expire) AS device
	), new AS (
		INSERT INTO devices (link_id, hwid, device_os, os_version,
		    model, app_version, user_agent, domain_hash)
		SELECT p_link, p_hwid, p_os, p_os_version, p_model,
		    p_app_version, p_user_agent, p_hash
		FROM old
	)
	SELECT old.hwid, old.name, old.device INTO v_old, v_name, v_device
	    FROM old;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	-- the same row as the sweep's (ll_expire_sweep): the slot went
	-- because the device expired, whoever took it
	PERFORM ll_audit(p_provider, 'server', NULL, NULL, 'device.expire',
	    p_link, 'device ' || v_old || ' on link ' || l.install_code,
	    v_device, jsonb_build_object('install_count', l.install_count))
	    FROM links l WHERE l.id = p_link;
	IF p_hook THEN
		-- a swap leaves the link full, as it found it: no link.full
		PERFORM ll_webhook_emit(p_provider, t.type, l.id,
		    l.install_code, t.hwid, t.name, l.install_count,
		    l.install_limit)
		    FROM links l, (VALUES (1, 'device.expired', v_old, v_name),
			(2, 'device.admitted', p_hwid,
			ll_device_name(p_model, p_os, p_os_version)))
			AS t(n, type, hwid, name)
		    WHERE l.id = p_link
		    ORDER BY t.n;
	END IF;
	RETURN true;
END
$$;

-- Besides the answer, it says what it decided and whom that concerns, for
-- the workers' counters (fcgi/counters.c): o_decision is one of
-- decisions.name (sql/010_analytics.sql), o_provider_id and o_link_id
-- the link's (NULL when there is no such link). Writing nothing of its
-- own for them, it keeps a re-check a plain read.
--
-- Earlier versions answered the first three columns alone; an OUT list
-- changes only by dropping the function, in the transaction that makes
-- it again.
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_proc p
	    WHERE p.oid = to_regprocedure('ll_check(text, text, text, text, '
		'text, text, text, text)')
		AND NOT 'o_decision' = ANY (p.proargnames)) THEN
		DROP FUNCTION IF EXISTS ll_check(text, text, text, text,
		    text, text, text, text);
	END IF;
END
$$;

CREATE OR REPLACE FUNCTION ll_check(p_hash text, p_code text, p_hwid text,
    p_os text, p_os_version text, p_model text, p_app_version text,
    p_user_agent text,
    OUT o_providerid text, OUT o_status integer, OUT o_import boolean,
    OUT o_decision text, OUT o_provider_id bigint, OUT o_link_id bigint)
LANGUAGE plpgsql AS $$
DECLARE
	v_stale		boolean;
	v_expire	integer;
	v_hook		boolean;
BEGIN
	SELECT l.id, l.provider_id, p.code, l.status::integer,
	    l.expire_days::integer, p.webhook,
	    CASE WHEN l.status <> 10 OR p.status <> 1 THEN 'refused_disabled'
	    WHEN NOT EXISTS (SELECT 1 FROM domains d
		WHERE d.provider_id = l.provider_id
		    AND d.domain_hash = p_hash AND d.status = 1)
		THEN 'refused_domain'
	    WHEN p_hwid IS NULL THEN 'refused_hwid' END
	    INTO o_link_id, o_provider_id, o_providerid, o_status, v_expire,
		v_hook, o_decision
	    FROM links l JOIN providers p ON p.id = l.provider_id
	    WHERE l.install_code = p_code;
	IF o_link_id IS NULL OR o_decision IS NOT NULL THEN
		o_providerid := coalesce(o_providerid, '');
		o_status := coalesce(o_status, 0);
		o_import := false;
		o_decision := coalesce(o_decision, 'refused_unknown');
		RETURN;
	END IF;

	SELECT d.last_seen < now() - ll_seen_every(), true, 'admitted_known'
	    INTO v_stale, o_import, o_decision
	    FROM devices d WHERE d.link_id = o_link_id AND d.hwid = p_hwid;
	IF FOUND THEN
		IF v_stale THEN
			UPDATE devices d SET last_seen = now(),
			    device_os = coalesce(p_os, d.device_os),
			    os_version = coalesce(p_os_version, d.os_version),
			    model = coalesce(p_model, d.model),
			    app_version = coalesce(p_app_version, d.app_version),
			    user_agent = coalesce(p_user_agent, d.user_agent)
			    WHERE d.link_id = o_link_id AND d.hwid = p_hwid;
			IF FOUND THEN
				RETURN;
			END IF;
		ELSE
			RETURN;
		END IF;
	END IF;

	UPDATE links l SET install_count = l.install_count + 1
	    WHERE l.id = o_link_id AND l.install_count < l.install_limit
		AND l.status = 10;
	IF FOUND THEN
		INSERT INTO devices (link_id, hwid, device_os, os_version,
		    model, app_version, user_agent, domain_hash)
		    VALUES (o_link_id, p_hwid, p_os, p_os_version, p_model,
			p_app_version, p_user_agent, p_hash)
		    ON CONFLICT (link_id, hwid) DO NOTHING
		    RETURNING true, 'admitted_new' INTO o_import, o_decision;
		IF NOT FOUND THEN
			UPDATE links l SET install_count = l.install_count - 1
			    WHERE l.id = o_link_id;
			o_import := true;
			o_decision := 'admitted_known';
		ELSIF v_hook THEN
			PERFORM ll_check_emit(o_provider_id, o_link_id,
			    'device.admitted', p_hwid, p_os, p_os_version,
			    p_model);
		END IF;
		RETURN;
	END IF;

	IF v_expire > 0 THEN
		IF ll_check_evict(o_provider_id, o_link_id, v_expire, v_hook,
		    p_hash, p_hwid, p_os, p_os_version, p_model,
		    p_app_version, p_user_agent) THEN
			o_import := true;
			o_decision := 'admitted_new';
			RETURN;
		END IF;
	END IF;

	SELECT s.known, CASE WHEN s.known THEN 'admitted_known'
	    ELSE 'refused_limit' END, v_hook AND NOT s.known
	    INTO o_import, o_decision, v_hook
	    FROM (SELECT EXISTS (SELECT 1 FROM devices d
		WHERE d.link_id = o_link_id AND d.hwid = p_hwid) AS known) s;
	IF v_hook THEN
		PERFORM ll_check_emit(o_provider_id, o_link_id,
		    'device.refused', p_hwid, p_os, p_os_version, p_model);
	END IF;
END
$$;

-- The app's daily provider check: 1 for an active provider, else 0.
CREATE OR REPLACE FUNCTION ll_provider_status(p_code text) RETURNS integer
LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT status::integer FROM providers
	    WHERE code = p_code), 0)
$$;
