-- History: the functions below are as this migration first made them.
-- Their current definitions are in sql/functions/, which scripts/migrate
-- applies after the numbered migrations on every run.

-- Provider accounts, for the operator's scripts/provider and for the
-- API's authentication.

CREATE FUNCTION ll_auth(p_code text,
    OUT id bigint, OUT key_hash text, OUT status smallint)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	SELECT p.id, p.key_hash, p.status FROM providers p WHERE p.code = p_code
$$;

-- Returns the new provider's id; a taken code raises unique_violation.
CREATE FUNCTION ll_provider_add(p_code text, p_name text, p_key_hash text,
    p_link_cap integer) RETURNS bigint
LANGUAGE sql AS $$
	INSERT INTO providers (code, name, key_hash, link_cap)
	    VALUES (p_code, p_name, p_key_hash, p_link_cap) RETURNING id
$$;

CREATE FUNCTION ll_provider_list(
    OUT code text, OUT name text, OUT status smallint, OUT links bigint,
    OUT created_at text)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	SELECT p.code, p.name, p.status,
	    (SELECT count(*) FROM links l WHERE l.provider_id = p.id),
	    ll_ts(p.created_at)
	FROM providers p ORDER BY p.id
$$;

-- Returns whether the provider exists.
CREATE FUNCTION ll_provider_set_status(p_code text, p_status smallint)
RETURNS boolean
LANGUAGE sql AS $$
	WITH u AS (UPDATE providers SET status = p_status
	    WHERE code = p_code RETURNING 1)
	SELECT EXISTS (SELECT 1 FROM u)
$$;

CREATE FUNCTION ll_provider_set_key(p_code text, p_key_hash text)
RETURNS boolean
LANGUAGE sql AS $$
	WITH u AS (UPDATE providers SET key_hash = p_key_hash
	    WHERE code = p_code RETURNING 1)
	SELECT EXISTS (SELECT 1 FROM u)
$$;
