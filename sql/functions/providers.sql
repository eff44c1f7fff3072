-- Provider accounts: the operator's `limited-links provider` commands and
-- the authentication of the API and the web account. Re-applied by
-- scripts/migrate on every run.

CREATE OR REPLACE FUNCTION ll_auth(p_code text,
    OUT id bigint, OUT key_hash text, OUT status smallint)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	SELECT p.id, p.key_hash, p.status FROM providers p WHERE p.code = p_code
$$;

-- Returns the new provider's id; a taken code raises unique_violation.
CREATE OR REPLACE FUNCTION ll_provider_add(p_code text, p_name text,
    p_key_hash text, p_link_cap integer) RETURNS bigint
LANGUAGE sql AS $$
	INSERT INTO providers (code, name, key_hash, link_cap)
	    VALUES (p_code, p_name, p_key_hash, p_link_cap) RETURNING id
$$;

CREATE OR REPLACE FUNCTION ll_provider_list(
    OUT code text, OUT name text, OUT status smallint, OUT links bigint,
    OUT created_at text)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	SELECT p.code, p.name, p.status,
	    (SELECT count(*) FROM links l WHERE l.provider_id = p.id),
	    ll_ts(p.created_at)
	FROM providers p ORDER BY p.id
$$;

-- Returns whether the provider exists. Disabling it deletes its web
-- sessions in the same statement: ll_session_get already refuses them
-- while the provider is disabled, but enabling it again must not bring
-- them back.
CREATE OR REPLACE FUNCTION ll_provider_set_status(p_code text,
    p_status smallint)
RETURNS boolean
LANGUAGE sql AS $$
	WITH u AS (UPDATE providers SET status = p_status
	    WHERE code = p_code RETURNING id),
	-- a data-modifying WITH runs whether or not it is read
	d AS (DELETE FROM sessions s USING u
	    WHERE s.provider_id = u.id AND p_status <> 1)
	SELECT EXISTS (SELECT 1 FROM u)
$$;

-- Returns whether the provider exists.
CREATE OR REPLACE FUNCTION ll_provider_set_key(p_code text, p_key_hash text)
RETURNS boolean
LANGUAGE sql AS $$
	WITH u AS (UPDATE providers SET key_hash = p_key_hash
	    WHERE code = p_code RETURNING 1)
	SELECT EXISTS (SELECT 1 FROM u)
$$;
