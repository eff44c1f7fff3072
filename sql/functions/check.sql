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
-- Lock order: a slot taken locks the link row, then writes the device
-- row; a refresh writes only the device row; ll_device_delete() locks the
-- link row, then deletes the device row. No two of them wait on each
-- other in opposite orders.
--
-- Every expression PL/pgSQL evaluates itself (an IF, an assignment) is
-- set up again in each transaction, so the reads compute what the steps
-- test: a re-check evaluates four.

-- How old last_seen may grow before a re-check refreshes it, so that
-- re-checks stay reads.
CREATE OR REPLACE FUNCTION ll_seen_every() RETURNS interval
LANGUAGE sql IMMUTABLE AS $$ SELECT interval '5 minutes' $$;

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
	v_expire	ll_expire_days;
	v_hook		boolean;
	v_keep		interval;
	v_old		text;
	v_old_name	text;
BEGIN
	-- o_decision stays NULL while the device may go on
	SELECT l.id, l.provider_id, p.code, l.status::integer, l.expire_days,
	    CASE WHEN l.status <> 10 OR p.status <> 1 THEN 'refused_disabled'
	    WHEN NOT EXISTS (SELECT 1 FROM domains d
		WHERE d.provider_id = l.provider_id
		    AND d.domain_hash = p_hash AND d.status = 1)
		THEN 'refused_domain'
	    WHEN p_hwid IS NULL THEN 'refused_hwid' END
	    INTO o_link_id, o_provider_id, o_providerid, o_status, v_expire,
		o_decision
	    FROM links l JOIN providers p ON p.id = l.provider_id
	    WHERE l.install_code = p_code;
	-- o_link_id NULL: no such link
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
			-- its row went since the read (released, swept or
			-- its slot taken as expired): it asks as a new
			-- device
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
		    RETURNING true, 'admitted_new', EXISTS (SELECT 1
			FROM webhooks w WHERE w.provider_id = o_provider_id)
		    INTO o_import, o_decision, v_hook;
		IF NOT FOUND THEN
			-- the device took a slot a moment ago: give this
			-- one back
			UPDATE links l SET install_count = l.install_count - 1
			    WHERE l.id = o_link_id;
			o_import := true;
			o_decision := 'admitted_known';
		ELSIF v_hook THEN
			-- the link row is locked: its count is this
			-- admission's
			PERFORM ll_webhook_emit(o_provider_id, t.type, l.id,
			    l.install_code, p_hwid,
			    ll_device_name(p_model, p_os, p_os_version),
			    l.install_count, l.install_limit)
			    FROM links l, unnest(ARRAY['device.admitted',
				'link.full']) WITH ORDINALITY AS t(type, n)
			    WHERE l.id = o_link_id AND (t.n = 1
				OR l.install_count = l.install_limit)
			    ORDER BY t.n;
		END IF;
		RETURN;
	END IF;

	-- Full. On a link that expires silent devices, this device takes
	-- the slot of the longest-silent expired one. The link row is
	-- locked first, as by any admission, and the next statement reads
	-- the rows as they are once the lock is held (READ COMMITTED takes
	-- a snapshot per statement): no other admission, delete, reset or
	-- sweep of the link can run between the choice and the swap. Its
	-- DELETE tests last_seen again on the newest version of the row, so
	-- a device whose re-check refreshed it meanwhile keeps its slot.
	-- The count does not move: one row out, one in. This device's own
	-- row, made by a call of the same device that held the lock before,
	-- is seen, and nothing is taken for it.
	IF v_expire > 0 THEN
		SELECT make_interval(days => l.expire_days) INTO v_keep
		    FROM links l WHERE l.id = o_link_id AND l.status = 10
			AND l.expire_days > 0
			AND l.install_count >= l.install_limit
		    FOR UPDATE;
		IF FOUND THEN
			WITH old AS (
				DELETE FROM devices d
				WHERE d.link_id = o_link_id AND d.hwid = (
				    SELECT o.hwid FROM devices o
				    WHERE o.link_id = o_link_id
					AND o.last_seen < now() - v_keep
				    ORDER BY o.last_seen, o.hwid LIMIT 1)
				    AND d.last_seen < now() - v_keep
				    AND NOT EXISTS (SELECT 1 FROM devices m
					WHERE m.link_id = o_link_id
					    AND m.hwid = p_hwid)
				RETURNING d.hwid, ll_device_name(d.model,
				    d.device_os, d.os_version) AS name
			), new AS (
				-- no ON CONFLICT: under the lock, with the
				-- check above, a conflict cannot happen; if
				-- it did, the error would undo the delete
				INSERT INTO devices (link_id, hwid, device_os,
				    os_version, model, app_version, user_agent,
				    domain_hash)
				SELECT o_link_id, p_hwid, p_os, p_os_version,
				    p_model, p_app_version, p_user_agent, p_hash
				FROM old
			)
			SELECT old.hwid, old.name, true, 'admitted_new',
			    EXISTS (SELECT 1 FROM webhooks w
				WHERE w.provider_id = o_provider_id)
			    INTO v_old, v_old_name, o_import, o_decision,
				v_hook
			    FROM old;
			IF FOUND THEN
				IF v_hook THEN
					PERFORM ll_webhook_emit(o_provider_id,
					    t.type, l.id, l.install_code,
					    t.hwid, t.name, l.install_count,
					    l.install_limit)
					    FROM links l, (VALUES
						(1, 'device.expired', v_old,
						    v_old_name),
						(2, 'device.admitted', p_hwid,
						    ll_device_name(p_model,
						    p_os, p_os_version)))
						AS t(n, type, hwid, name)
					    WHERE l.id = o_link_id
					    ORDER BY t.n;
				END IF;
				RETURN;
			END IF;
		END IF;
	END IF;

	-- full, or disabled meanwhile (counted as full: a race of the
	-- moment); a concurrent call may have admitted this very device,
	-- and this statement sees it now
	SELECT s.known, CASE WHEN s.known THEN 'admitted_known'
	    ELSE 'refused_limit' END,
	    NOT s.known AND EXISTS (SELECT 1 FROM webhooks w
		WHERE w.provider_id = o_provider_id)
	    INTO o_import, o_decision, v_hook
	    FROM (SELECT EXISTS (SELECT 1 FROM devices d
		WHERE d.link_id = o_link_id AND d.hwid = p_hwid) AS known) s;
	IF v_hook THEN
		PERFORM ll_webhook_emit(o_provider_id, 'device.refused', l.id,
		    l.install_code, p_hwid,
		    ll_device_name(p_model, p_os, p_os_version),
		    l.install_count, l.install_limit)
		    FROM links l WHERE l.id = o_link_id;
	END IF;
END
$$;

-- The app's daily provider check: 1 for an active provider, else 0.
CREATE OR REPLACE FUNCTION ll_provider_status(p_code text) RETURNS integer
LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT status::integer FROM providers
	    WHERE code = p_code), 0)
$$;
