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
	    -- "Pixel 8 (Android 14)", or what of it the app sent
	    CASE WHEN d.hwid IS NOT NULL THEN
		trim(coalesce(nullif(d.model, ''), '') || CASE
		    WHEN coalesce(nullif(d.device_os, ''),
			nullif(d.os_version, '')) IS NULL THEN ''
		    ELSE ' (' || trim(coalesce(d.device_os, '') || ' ' ||
			coalesce(d.os_version, '')) || ')' END) END,
	    d.device_os, d.os_version, d.model, d.app_version, d.user_agent,
	    ll_ts(d.first_seen), ll_ts(d.last_seen)
	FROM links l LEFT JOIN devices d ON d.link_id = l.id
	    AND (p_hwid IS NULL OR d.hwid = p_hwid)
	WHERE l.provider_id = p_provider
	    AND (p_code IS NULL OR l.install_code = p_code)
	    AND (p_link IS NULL OR l.id = p_link)
	    AND (p_code IS NOT NULL OR p_link IS NOT NULL)
	ORDER BY d.first_seen DESC, d.hwid
$$;

-- Deletes a device and frees its slot in the same statement, so the
-- counter and the rows never drift. o_result: 'ok', 'not_found' (the
-- provider has no such link) or 'no_device' (the device holds no slot
-- on it); o_link is the link, o_count its install_count after it.
-- The link row is locked before the device row, the order ll_check takes
-- them in, so a delete and a re-check of the same device cannot deadlock.
CREATE OR REPLACE FUNCTION ll_device_delete(p_provider bigint, p_code text,
    p_link bigint, p_hwid text, p_actor text, p_session text, p_addr text,
    OUT o_result text, OUT o_link bigint, OUT o_count integer)
LANGUAGE plpgsql AS $$
DECLARE
	v_code		text;
	v_device	jsonb;
BEGIN
	SELECT l.id, l.install_count, l.install_code
	    INTO o_link, o_count, v_code FROM links l
	    WHERE l.provider_id = p_provider
		AND (p_code IS NULL OR l.install_code = p_code)
		AND (p_link IS NULL OR l.id = p_link)
		AND (p_code IS NOT NULL OR p_link IS NOT NULL)
	    FOR UPDATE;
	IF NOT FOUND THEN
		o_result := 'not_found';
		RETURN;
	END IF;
	DELETE FROM devices d WHERE d.link_id = o_link AND d.hwid = p_hwid
	    RETURNING jsonb_build_object('hwid', d.hwid, 'device_os',
		d.device_os, 'os_version', d.os_version, 'model', d.model,
		'app_version', d.app_version, 'first_seen',
		ll_ts(d.first_seen), 'install_count', o_count)
	    INTO v_device;
	IF NOT FOUND THEN
		o_result := 'no_device';
		RETURN;
	END IF;
	UPDATE links l SET install_count = l.install_count - 1
	    WHERE l.id = o_link RETURNING l.install_count INTO o_count;
	PERFORM ll_audit(p_provider, p_actor, p_session, p_addr,
	    'device.delete', o_link, 'device ' || p_hwid || ' on link ' ||
	    v_code, v_device, jsonb_build_object('install_count', o_count));
	o_result := 'ok';
END
$$;
