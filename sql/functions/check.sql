-- The check endpoint: may this device add this link? Re-applied by
-- scripts/migrate on every run.
--
-- One call, one round trip, safe under READ COMMITTED. A device that holds
-- a slot is answered from a plain read. A new device takes a slot with an
-- UPDATE of the link row that only matches while install_count is below the
-- limit: the row lock serialises admissions to one link, and the re-check
-- of the WHERE clause on the newest row version means concurrent callers
-- can never push the count past the limit. The device row is inserted in
-- the same transaction; if the same device won a slot a moment earlier,
-- the slot just taken is handed back.

-- How old last_seen may grow before a re-check refreshes it, so that
-- re-checks stay reads.
CREATE OR REPLACE FUNCTION ll_seen_every() RETURNS interval
LANGUAGE sql IMMUTABLE AS $$ SELECT interval '5 minutes' $$;

-- Besides the answer, it says what it decided and whom that concerns, for
-- the workers' counters (fcgi/counters.c): o_decision is one of
-- decisions.name (sql/009_analytics.sql), o_provider_id and o_link_id
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
	v_last		timestamptz;
	v_enabled	boolean;
	v_domain	boolean;
BEGIN
	o_providerid := '';
	o_status := 0;
	o_import := false;

	SELECT l.id, p.code, l.status, l.provider_id,
	    l.status = 10 AND p.status = 1, EXISTS (
		SELECT 1 FROM domains d
		WHERE d.provider_id = l.provider_id
		    AND d.domain_hash = p_hash AND d.status = 1)
	    INTO o_link_id, o_providerid, o_status, o_provider_id,
		v_enabled, v_domain
	    FROM links l JOIN providers p ON p.id = l.provider_id
	    WHERE l.install_code = p_code;
	IF NOT FOUND THEN
		o_providerid := '';
		o_status := 0;
		o_decision := 'refused_unknown';
		RETURN;
	END IF;
	IF NOT v_enabled THEN
		o_decision := 'refused_disabled';
		RETURN;
	END IF;
	IF NOT v_domain THEN
		o_decision := 'refused_domain';
		RETURN;
	END IF;
	IF p_hwid IS NULL THEN
		o_decision := 'refused_hwid';
		RETURN;
	END IF;

	SELECT d.last_seen INTO v_last FROM devices d
	    WHERE d.link_id = o_link_id AND d.hwid = p_hwid;
	IF FOUND THEN
		IF v_last < now() - ll_seen_every() THEN
			UPDATE devices d SET last_seen = now(),
			    device_os = coalesce(p_os, d.device_os),
			    os_version = coalesce(p_os_version, d.os_version),
			    model = coalesce(p_model, d.model),
			    app_version = coalesce(p_app_version, d.app_version),
			    user_agent = coalesce(p_user_agent, d.user_agent)
			    WHERE d.link_id = o_link_id AND d.hwid = p_hwid;
		END IF;
		o_import := true;
		o_decision := 'admitted_known';
		RETURN;
	END IF;

	UPDATE links l SET install_count = l.install_count + 1
	    WHERE l.id = o_link_id AND l.install_count < l.install_limit
		AND l.status = 10;
	IF FOUND THEN
		INSERT INTO devices (link_id, hwid, device_os, os_version,
		    model, app_version, user_agent, domain_hash)
		    VALUES (o_link_id, p_hwid, p_os, p_os_version, p_model,
			p_app_version, p_user_agent, p_hash)
		    ON CONFLICT (link_id, hwid) DO NOTHING;
		IF FOUND THEN
			o_decision := 'admitted_new';
		ELSE
			UPDATE links l SET install_count = l.install_count - 1
			    WHERE l.id = o_link_id;
			o_decision := 'admitted_known';
		END IF;
		o_import := true;
		RETURN;
	END IF;

	-- full, or disabled meanwhile (counted as full: a race of the
	-- moment); a concurrent call may have admitted this very device,
	-- and this statement sees it now
	SELECT true INTO o_import FROM devices d
	    WHERE d.link_id = o_link_id AND d.hwid = p_hwid;
	o_import := coalesce(o_import, false);
	o_decision := CASE WHEN o_import THEN 'admitted_known'
	    ELSE 'refused_limit' END;
END
$$;

-- The app's daily provider check: 1 for an active provider, else 0.
CREATE OR REPLACE FUNCTION ll_provider_status(p_code text) RETURNS integer
LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT status::integer FROM providers
	    WHERE code = p_code), 0)
$$;
