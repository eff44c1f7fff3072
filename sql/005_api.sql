-- Fixes to the data layer found by the provider API's tests.

-- ll_device_delete as in 004 locked the device row and then the link row,
-- while ll_check locks the link row and then waits on the device row it
-- inserts: a check re-admitting a device that a delete was removing could
-- deadlock with it (one of them then failed, a check answering
-- import:false). Now the link row is locked first, the order ll_check
-- takes, still in one statement with the counter update.
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

-- ll_device_list as in 004 named a device "()" when the app sent its OS
-- headers empty: an empty header now counts as absent.
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
