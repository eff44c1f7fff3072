-- A provider's limited links. Every function takes the authenticated
-- provider's id and touches nothing of another provider's, whatever ids
-- it is given. Re-applied by scripts/migrate on every run.

-- Earlier versions made the link alone, and the web account registered
-- its domain and stored its subscription URL in statements of their own;
-- then links had no expire_days, and later ones wrote no audit row.
DROP FUNCTION IF EXISTS ll_link_add(bigint, text, integer, text, integer);
DROP FUNCTION IF EXISTS ll_link_set_target(bigint, bigint, text, text);
DROP FUNCTION IF EXISTS ll_link_add(bigint, text, integer, text, integer,
    text, text, text, text);
DROP FUNCTION IF EXISTS ll_link_update(bigint, bigint, integer, text,
    smallint);
DROP FUNCTION IF EXISTS ll_link_set_target(bigint, bigint, text, text, text,
    text);
DROP FUNCTION IF EXISTS ll_link_add(bigint, text, integer, text, integer,
    text, text, text, text, integer);
DROP FUNCTION IF EXISTS ll_link_add(bigint, text, integer, text, integer,
    text, text, text, text, text, text, text);
DROP FUNCTION IF EXISTS ll_link_update(bigint, bigint, integer, text,
    smallint, integer);
DROP FUNCTION IF EXISTS ll_link_update(bigint, bigint, integer, text,
    smallint, text, text, text);
DROP FUNCTION IF EXISTS ll_self_service_set(bigint, text, bigint, text,
    text);
DO $$
BEGIN
	-- the same parameters, without the column expire_days
	IF EXISTS (SELECT 1 FROM pg_proc p
	    WHERE p.pronamespace = 'public'::regnamespace
		AND p.proname = 'll_link_list'
		AND NOT 'expire_days' = ANY (p.proargnames)) THEN
		DROP ROUTINE ll_link_list(bigint, bigint, text, integer,
		    integer);
	END IF;
END
$$;

-- Whether link l is the one a caller names: the provider's, by its
-- install code, its id, or both (then both must fit); naming neither
-- names none. Plain SQL, so that the planner writes it into the query
-- that uses it and finds the link by its indexes as it would the
-- conditions themselves.
CREATE OR REPLACE FUNCTION ll_link_named(l links, p_provider bigint,
    p_code text, p_link bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT l.provider_id = p_provider
	    AND (p_code IS NULL OR l.install_code = p_code)
	    AND (p_link IS NULL OR l.id = p_link)
	    AND (p_code IS NOT NULL OR p_link IS NOT NULL)
$$;

-- Creates a link whose devices expire after p_expire days without a
-- check (0: never), and for one made in the web account registers the
-- domain its subscription URL hashes to (p_hash, labelled p_label) and
-- stores that URL and title, all or nothing; the API gives NULL for
-- these four. o_result: 'ok' (o_id is the new link), 'exists' (the code
-- is taken, by anyone), 'cap' (the provider holds p_cap links or its own
-- link_cap already): neither leaves anything behind. The actor comes
-- last (see ll_audit).
CREATE OR REPLACE FUNCTION ll_link_add(p_provider bigint, p_code text,
    p_limit integer, p_note text, p_cap integer, p_hash text,
    p_label text, p_url text, p_title text, p_expire integer, p_actor text,
    p_session text, p_addr text,
    OUT o_result text, OUT o_id bigint)
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
	INSERT INTO links (provider_id, install_code, install_limit, note,
	    sub_url, title, expire_days)
	    VALUES (p_provider, p_code, p_limit, coalesce(p_note, ''), p_url,
		p_title, coalesce(p_expire, 0))
	    ON CONFLICT (install_code) DO NOTHING
	    RETURNING id INTO o_id;
	IF o_id IS NULL THEN
		o_result := 'exists';
		RETURN;
	END IF;
	IF p_hash IS NOT NULL THEN
		PERFORM ll_domain_put(p_provider, p_hash, p_label);
	END IF;
	PERFORM ll_audit(p_provider, p_actor, p_session, p_addr,
	    'link.create', o_id, 'link ' || p_code, NULL,
	    jsonb_build_object('install_code', p_code, 'install_limit',
		p_limit, 'note', coalesce(p_note, ''), 'status', 10,
		'expire_days', coalesce(p_expire, 0)) ||
	    CASE WHEN p_url IS NULL THEN '{}'::jsonb ELSE jsonb_build_object(
		'sub_url', p_url, 'title', p_title, 'domain_hash', p_hash)
	    END);
	o_result := 'ok';
END
$$;

-- Changes what is given (NULL: unchanged) in one statement. o_result:
-- 'ok', 'not_found', or 'below_count' (the new limit is below the devices
-- holding a slot; o_count says how many). A change of the status alone
-- is audited as link.disable or link.enable, any other as link.update.
CREATE OR REPLACE FUNCTION ll_link_update(p_provider bigint, p_id bigint,
    p_limit integer, p_note text, p_status smallint, p_expire integer,
    p_actor text, p_session text, p_addr text,
    OUT o_result text, OUT o_code text, OUT o_count integer)
LANGUAGE plpgsql AS $$
DECLARE
	v_old	jsonb;
	v_new	jsonb;
BEGIN
	-- the row lock first: the count compared is the newest, and
	-- the values audited as before are the ones this change replaces
	SELECT l.install_code, l.install_count, jsonb_build_object(
	    'install_limit', l.install_limit, 'note', l.note,
	    'status', l.status, 'expire_days', l.expire_days)
	    INTO o_code, o_count, v_old
	    FROM links l WHERE l.id = p_id AND l.provider_id = p_provider
	    FOR UPDATE;
	IF NOT FOUND THEN
		o_result := 'not_found';
		RETURN;
	END IF;
	IF p_limit < o_count THEN
		o_result := 'below_count';
		RETURN;
	END IF;
	UPDATE links l SET
	    install_limit = coalesce(p_limit, l.install_limit),
	    note = coalesce(p_note, l.note),
	    status = coalesce(p_status, l.status),
	    expire_days = coalesce(p_expire, l.expire_days)
	    WHERE l.id = p_id
	    RETURNING jsonb_build_object('install_limit', l.install_limit,
		'note', l.note, 'status', l.status,
		'expire_days', l.expire_days) INTO v_new;
	PERFORM ll_audit(p_provider, p_actor, p_session, p_addr,
	    CASE WHEN p_limit IS NULL AND p_note IS NULL AND p_expire IS NULL
		AND p_status = 5 THEN 'link.disable'
	    WHEN p_limit IS NULL AND p_note IS NULL AND p_expire IS NULL
		AND p_status = 10 THEN 'link.enable'
	    ELSE 'link.update' END,
	    p_id, 'link ' || o_code, v_old, v_new);
	o_result := 'ok';
END
$$;

-- The provider's links, newest first: one (p_id), or a page of those whose
-- code or note contains p_search (NULL: all).
CREATE OR REPLACE FUNCTION ll_link_list(p_provider bigint, p_id bigint,
    p_search text, p_limit integer, p_offset integer,
    OUT id bigint, OUT install_code text, OUT install_limit integer,
    OUT install_count integer, OUT status smallint, OUT note text,
    OUT created_at text, OUT expire_days integer)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	SELECT l.id, l.install_code, l.install_limit, l.install_count,
	    l.status, l.note, ll_ts(l.created_at), l.expire_days::integer
	FROM links l
	WHERE l.provider_id = p_provider
	    AND (p_id IS NULL OR l.id = p_id)
	    AND (p_search IS NULL OR strpos(lower(l.install_code || ' ' ||
		l.note), lower(p_search)) > 0)
	ORDER BY l.id DESC
	LIMIT p_limit OFFSET p_offset
$$;

-- How many links ll_link_list would page through.
CREATE OR REPLACE FUNCTION ll_link_count(p_provider bigint, p_search text)
RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT count(*) FROM links l
	WHERE l.provider_id = p_provider
	    AND (p_search IS NULL OR strpos(lower(l.install_code || ' ' ||
		l.note), lower(p_search)) > 0)
$$;

-- Gone: the device functions find their link themselves, in the
-- statement that acts on it.
DROP FUNCTION IF EXISTS ll_link_find(bigint, text, bigint);

-- The subscription URL and title of the provider's link (kept for links
-- made in the web account, to show their final link again); no row when
-- the link is not the provider's, NULLs when it has none.
CREATE OR REPLACE FUNCTION ll_link_target(p_provider bigint, p_id bigint,
    OUT sub_url text, OUT title text)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	SELECT l.sub_url, l.title FROM links l
	WHERE l.id = p_id AND l.provider_id = p_provider
$$;

-- Stores them, and registers the domain the URL hashes to (p_hash,
-- labelled p_label), all or nothing; returns whether the link is the
-- provider's (when it is not, nothing is stored or registered).
CREATE OR REPLACE FUNCTION ll_link_set_target(p_provider bigint, p_id bigint,
    p_url text, p_title text, p_hash text, p_label text, p_actor text,
    p_session text, p_addr text)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	v_code	text;
	v_old	jsonb;
BEGIN
	SELECT l.install_code, jsonb_build_object('sub_url', l.sub_url,
	    'title', l.title) INTO v_code, v_old
	    FROM links l WHERE l.id = p_id AND l.provider_id = p_provider
	    FOR UPDATE;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	UPDATE links l SET sub_url = p_url, title = p_title
	    WHERE l.id = p_id;
	IF p_hash IS NOT NULL THEN
		PERFORM ll_domain_put(p_provider, p_hash, p_label);
	END IF;
	PERFORM ll_audit(p_provider, p_actor, p_session, p_addr,
	    'link.target', p_id, 'link ' || v_code, v_old,
	    jsonb_build_object('sub_url', p_url, 'title', p_title,
		'domain_hash', p_hash));
	RETURN true;
END
$$;

-- The provider's link's self-service page (named by install code, id or
-- both): p_action 'create' makes one with the token whose SHA-256 is
-- p_token_hash unless the link has one ('exists'); 'rotate' makes one or
-- gives the page a new token, so the old URL leads nowhere; 'disable'
-- removes it (the cooldown of its releases goes with it). Returns 'ok',
-- 'exists' or 'not_found' (no such link of the provider's). What it
-- changed is audited as self_service.create, .rotate or .disable, with
-- since when the page's URL was and is the one it is, and new_address
-- when an address was replaced (never the token or its hash); 'exists', and disabling a page that is not there, change
-- nothing and write nothing. The actor comes last (see ll_audit).
CREATE OR REPLACE FUNCTION ll_self_service_set(p_provider bigint,
    p_code text, p_link bigint, p_action text, p_token_hash text,
    p_actor text, p_session text, p_addr text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_link	bigint;
	v_code	text;
	v_old	jsonb;
	v_new	jsonb;
BEGIN
	-- the link row locked: two changes of its page are audited in the
	-- order they are made, each before as the other left it
	SELECT l.id, l.install_code INTO v_link, v_code FROM links l
	    WHERE ll_link_named(l, p_provider, p_code, p_link) FOR UPDATE;
	IF NOT FOUND THEN
		RETURN 'not_found';
	END IF;
	SELECT jsonb_build_object('since', ll_ts(s.created_at),
	    'released_at', ll_ts(s.released_at)) INTO v_old
	    FROM self_service s WHERE s.link_id = v_link;
	IF p_action = 'disable' THEN
		DELETE FROM self_service s WHERE s.link_id = v_link;
		IF FOUND THEN
			PERFORM ll_audit(p_provider, p_actor, p_session, p_addr,
			    'self_service.disable', v_link, 'link ' || v_code,
			    v_old, NULL);
		END IF;
		RETURN 'ok';
	END IF;
	INSERT INTO self_service AS s (link_id, token_hash)
	    VALUES (v_link, p_token_hash)
	    ON CONFLICT (link_id) DO UPDATE SET token_hash = excluded.token_hash,
		created_at = now()
		WHERE p_action = 'rotate'
	    RETURNING jsonb_build_object('since', ll_ts(s.created_at),
		'released_at', ll_ts(s.released_at)) INTO v_new;
	IF v_new IS NULL THEN
		RETURN 'exists';
	END IF;
	-- a new address within the same second is a change all the same
	IF v_old IS NOT NULL THEN
		v_new := v_new || jsonb_build_object('new_address', true);
	END IF;
	PERFORM ll_audit(p_provider, p_actor, p_session, p_addr,
	    'self_service.' || p_action, v_link, 'link ' || v_code, v_old,
	    v_new);
	RETURN 'ok';
END
$$;

-- The provider's link's self-service page: since when its URL is the one
-- it is, and its last release; no row when it has none (or the link is
-- not the provider's).
CREATE OR REPLACE FUNCTION ll_self_service_get(p_provider bigint,
    p_link bigint, OUT created_at text, OUT released_at text)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	SELECT ll_ts(s.created_at), ll_ts(s.released_at)
	FROM self_service s JOIN links l ON l.id = s.link_id
	WHERE s.link_id = p_link AND l.provider_id = p_provider
$$;
