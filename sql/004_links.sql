-- History: the functions below are as this migration first made them.
-- Their current definitions are in sql/functions/, which scripts/migrate
-- applies after the numbered migrations on every run.

-- What a provider does with its links, devices and domains: one function
-- per operation, shared by the provider API and the web account. Every
-- function takes the authenticated provider's id and touches nothing of
-- another provider's, whatever ids it is given.

-- Creates a link. o_result: 'ok' (o_id is the new link), 'exists' (the
-- code is taken, by anyone), 'cap' (the provider holds p_cap links or its
-- own link_cap already).
CREATE FUNCTION ll_link_add(p_provider bigint, p_code text, p_limit integer,
    p_note text, p_cap integer, OUT o_result text, OUT o_id bigint)
LANGUAGE plpgsql AS $$
DECLARE
	v_cap	integer;
BEGIN
	-- the provider row lock serialises its link creations, so the cap
	-- holds under concurrency
	SELECT coalesce(p.link_cap, p_cap) INTO v_cap FROM providers p
	    WHERE p.id = p_provider FOR UPDATE;
	IF (SELECT count(*) FROM links l WHERE l.provider_id = p_provider)
	    >= v_cap THEN
		o_result := 'cap';
		RETURN;
	END IF;
	INSERT INTO links (provider_id, install_code, install_limit, note)
	    VALUES (p_provider, p_code, p_limit, coalesce(p_note, ''))
	    ON CONFLICT (install_code) DO NOTHING
	    RETURNING id INTO o_id;
	o_result := CASE WHEN o_id IS NULL THEN 'exists' ELSE 'ok' END;
END
$$;

-- Changes what is given (NULL: unchanged) in one statement. o_result:
-- 'ok', 'not_found', or 'below_count' (the new limit is below the devices
-- holding a slot; o_count says how many).
CREATE FUNCTION ll_link_update(p_provider bigint, p_id bigint,
    p_limit integer, p_note text, p_status smallint,
    OUT o_result text, OUT o_code text, OUT o_count integer)
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE links l SET
	    install_limit = coalesce(p_limit, l.install_limit),
	    note = coalesce(p_note, l.note),
	    status = coalesce(p_status, l.status)
	    WHERE l.id = p_id AND l.provider_id = p_provider
		AND (p_limit IS NULL OR p_limit >= l.install_count)
	    RETURNING l.install_code, l.install_count INTO o_code, o_count;
	IF FOUND THEN
		o_result := 'ok';
		RETURN;
	END IF;
	SELECT l.install_code, l.install_count INTO o_code, o_count
	    FROM links l WHERE l.id = p_id AND l.provider_id = p_provider;
	o_result := CASE WHEN FOUND THEN 'below_count' ELSE 'not_found' END;
END
$$;

-- The provider's links, newest first: one (p_id), or a page of those whose
-- code or note contains p_search (NULL: all).
CREATE FUNCTION ll_link_list(p_provider bigint, p_id bigint, p_search text,
    p_limit integer, p_offset integer,
    OUT id bigint, OUT install_code text, OUT install_limit integer,
    OUT install_count integer, OUT status smallint, OUT note text,
    OUT created_at text)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	SELECT l.id, l.install_code, l.install_limit, l.install_count,
	    l.status, l.note, ll_ts(l.created_at)
	FROM links l
	WHERE l.provider_id = p_provider
	    AND (p_id IS NULL OR l.id = p_id)
	    AND (p_search IS NULL OR strpos(lower(l.install_code || ' ' ||
		l.note), lower(p_search)) > 0)
	ORDER BY l.id DESC
	LIMIT p_limit OFFSET p_offset
$$;

-- How many links ll_link_list would page through.
CREATE FUNCTION ll_link_count(p_provider bigint, p_search text)
RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT count(*) FROM links l
	WHERE l.provider_id = p_provider
	    AND (p_search IS NULL OR strpos(lower(l.install_code || ' ' ||
		l.note), lower(p_search)) > 0)
$$;

-- The provider's link with this code or this id (either may be NULL);
-- no row when there is none.
CREATE FUNCTION ll_link_find(p_provider bigint, p_code text, p_id bigint,
    OUT id bigint, OUT install_code text)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	SELECT l.id, l.install_code FROM links l
	WHERE l.provider_id = p_provider
	    AND (p_code IS NULL OR l.install_code = p_code)
	    AND (p_id IS NULL OR l.id = p_id)
	    AND (p_code IS NOT NULL OR p_id IS NOT NULL)
$$;

-- The devices holding a slot on the provider's link, newest first;
-- p_hwid (NULL: all) filters. An empty header counts as absent.
CREATE FUNCTION ll_device_list(p_provider bigint, p_link bigint,
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
CREATE FUNCTION ll_device_delete(p_provider bigint, p_link bigint,
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

-- Registers a domain hash. Returns 'ok' (new), 'reactivated' (it had been
-- deleted) or 'exists' (already active).
CREATE FUNCTION ll_domain_add(p_provider bigint, p_hash text, p_name text)
RETURNS text
LANGUAGE sql AS $$
	WITH i AS (
		INSERT INTO domains AS d (provider_id, domain_hash, domain_name)
		VALUES (p_provider, p_hash, p_name)
		ON CONFLICT (provider_id, domain_hash) DO UPDATE
		    SET status = 1, domain_name = excluded.domain_name,
			created_at = now()
		    WHERE d.status = 0
		RETURNING (xmax = 0) AS fresh
	)
	SELECT coalesce((SELECT CASE WHEN fresh THEN 'ok' ELSE 'reactivated'
	    END FROM i), 'exists')
$$;

-- The provider's active domains, newest first.
CREATE FUNCTION ll_domain_list(p_provider bigint,
    OUT id bigint, OUT domain_name text, OUT domain_hash text,
    OUT status smallint, OUT created_at text)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	SELECT d.id, d.domain_name, d.domain_hash, d.status,
	    ll_ts(d.created_at)
	FROM domains d WHERE d.provider_id = p_provider AND d.status = 1
	ORDER BY d.id DESC
$$;

-- Deletes (deactivates) an active domain. o_found says whether there was
-- one; o_links counts the provider's active links that hold devices
-- admitted through it, whose checks it will now refuse.
CREATE FUNCTION ll_domain_delete(p_provider bigint, p_id bigint,
    OUT o_found boolean, OUT o_links integer)
LANGUAGE sql AS $$
	WITH u AS (
		UPDATE domains d SET status = 0
		WHERE d.id = p_id AND d.provider_id = p_provider
		    AND d.status = 1
		RETURNING d.domain_hash
	)
	SELECT EXISTS (SELECT 1 FROM u),
	    (SELECT count(DISTINCT l.id) FROM links l
		JOIN devices v ON v.link_id = l.id
		WHERE l.provider_id = p_provider AND l.status = 10
		    AND v.domain_hash = (SELECT domain_hash FROM u))::integer
$$;
