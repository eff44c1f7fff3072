-- History: the functions below are as this migration first made them.
-- Their current definitions are in sql/functions/, which scripts/migrate
-- applies after the numbered migrations on every run.

-- The check endpoint: may this device add this link?
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
CREATE FUNCTION ll_seen_every() RETURNS interval
LANGUAGE sql IMMUTABLE AS $$ SELECT interval '5 minutes' $$;

CREATE FUNCTION ll_check(p_hash text, p_code text, p_hwid text,
    p_os text, p_os_version text, p_model text, p_app_version text,
    p_user_agent text,
    OUT o_providerid text, OUT o_status integer, OUT o_import boolean)
LANGUAGE plpgsql AS $$
DECLARE
	v_link		bigint;
	v_active	boolean;
	v_last		timestamptz;
BEGIN
	o_providerid := '';
	o_status := 0;
	o_import := false;

	SELECT l.id, p.code, l.status,
	    l.status = 10 AND p.status = 1 AND EXISTS (
		SELECT 1 FROM domains d
		WHERE d.provider_id = l.provider_id
		    AND d.domain_hash = p_hash AND d.status = 1)
	    INTO v_link, o_providerid, o_status, v_active
	    FROM links l JOIN providers p ON p.id = l.provider_id
	    WHERE l.install_code = p_code;
	IF NOT FOUND THEN
		o_providerid := '';
		o_status := 0;
		RETURN;
	END IF;
	IF NOT v_active OR p_hwid IS NULL THEN
		RETURN;
	END IF;

	SELECT d.last_seen INTO v_last FROM devices d
	    WHERE d.link_id = v_link AND d.hwid = p_hwid;
	IF FOUND THEN
		IF v_last < now() - ll_seen_every() THEN
			UPDATE devices d SET last_seen = now(),
			    device_os = coalesce(p_os, d.device_os),
			    os_version = coalesce(p_os_version, d.os_version),
			    model = coalesce(p_model, d.model),
			    app_version = coalesce(p_app_version, d.app_version),
			    user_agent = coalesce(p_user_agent, d.user_agent)
			    WHERE d.link_id = v_link AND d.hwid = p_hwid;
		END IF;
		o_import := true;
		RETURN;
	END IF;

	UPDATE links l SET install_count = l.install_count + 1
	    WHERE l.id = v_link AND l.install_count < l.install_limit
		AND l.status = 10;
	IF FOUND THEN
		INSERT INTO devices (link_id, hwid, device_os, os_version,
		    model, app_version, user_agent, domain_hash)
		    VALUES (v_link, p_hwid, p_os, p_os_version, p_model,
			p_app_version, p_user_agent, p_hash)
		    ON CONFLICT (link_id, hwid) DO NOTHING;
		IF NOT FOUND THEN
			UPDATE links l SET install_count = l.install_count - 1
			    WHERE l.id = v_link;
		END IF;
		o_import := true;
		RETURN;
	END IF;

	-- full, or disabled meanwhile; a concurrent call may have admitted
	-- this very device, and this statement sees it now
	SELECT true INTO o_import FROM devices d
	    WHERE d.link_id = v_link AND d.hwid = p_hwid;
	o_import := coalesce(o_import, false);
END
$$;

-- The app's daily provider check: 1 for an active provider, else 0.
CREATE FUNCTION ll_provider_status(p_code text) RETURNS integer
LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT status::integer FROM providers
	    WHERE code = p_code), 0)
$$;
