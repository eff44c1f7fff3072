-- The devices holding a slot on a provider's links (the check, which
-- admits them, is in check.sql). Every function takes the authenticated
-- provider's id and touches nothing of another provider's. Re-applied by
-- scripts/migrate on every run.

-- The devices holding a slot on the provider's link, newest first;
-- p_hwid (NULL: all) filters. An empty header counts as absent.
CREATE OR REPLACE FUNCTION ll_device_list(p_provider bigint, p_link bigint,
    p_hwid text,
    OUT hwid text, OUT date text, OUT device_name text, OUT device_os text,
    OUT os_version text, OUT model text, OUT app_version text,
    OUT user_agent text, OUT first_seen text, OUT last_seen text)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	SELECT d.hwid, ll_ts(d.first_seen),
	    -- "Pixel 8 (Android 14)", or what of it the app sent
	    trim(coalesce(nullif(d.model, ''), '') || CASE
		WHEN coalesce(nullif(d.device_os, ''),
		    nullif(d.os_version, '')) IS NULL THEN ''
		ELSE ' (' || trim(coalesce(d.device_os, '') || ' ' ||
		    coalesce(d.os_version, '')) || ')' END),
	    d.device_os, d.os_version, d.model, d.app_version, d.user_agent,
	    ll_ts(d.first_seen), ll_ts(d.last_seen)
	FROM devices d JOIN links l ON l.id = d.link_id
	WHERE l.provider_id = p_provider AND d.link_id = p_link
	    AND (p_hwid IS NULL OR d.hwid = p_hwid)
	ORDER BY d.first_seen DESC, d.hwid
$$;

-- Deletes a device and frees its slot in the same statement, so the
-- counter and the rows never drift. o_deleted is 0 or 1; o_count is the
-- link's install_count after it (NULL when the link is not the provider's).
-- The link row is locked before the device row, the order ll_check takes
-- them in, so a delete and a re-check of the same device cannot deadlock.
CREATE OR REPLACE FUNCTION ll_device_delete(p_provider bigint, p_link bigint,
    p_hwid text, OUT o_deleted integer, OUT o_count integer)
LANGUAGE sql AS $$
	WITH k AS (
		SELECT l.id FROM links l
		WHERE l.id = p_link AND l.provider_id = p_provider
		FOR UPDATE
	), d AS (
		-- joined to k, so no device row is touched before the link's
		DELETE FROM devices d USING k
		WHERE d.link_id = k.id AND d.hwid = p_hwid
		RETURNING 1
	), u AS (
		UPDATE links l
		SET install_count = l.install_count - (SELECT count(*) FROM d)
		WHERE l.id = (SELECT k.id FROM k)
		RETURNING l.install_count
	)
	SELECT (SELECT count(*) FROM d)::integer,
	    (SELECT install_count FROM u)
$$;
