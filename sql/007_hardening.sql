-- History: the functions below are as this migration first made them.
-- Their current definitions are in sql/functions/, which scripts/migrate
-- applies after the numbered migrations on every run.

-- Sessions end with the provider that owns them, and a sign-in that works
-- forgives the address its failures.

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

-- The session now also takes the address it was signed in from: the same
-- statement that starts it clears that address's failed sign-ins, so a
-- provider who mistyped a few times does not start its next session one
-- slip away from the wait.
DROP FUNCTION ll_session_create(text, bigint, text, integer);

-- Starts a session of p_ttl seconds for an active provider and forgets
-- the failed sign-ins of p_addr; returns whether it did. Expired sessions
-- are removed on the way.
CREATE FUNCTION ll_session_create(p_token_hash text, p_provider bigint,
    p_csrf text, p_ttl integer, p_addr text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM sessions s WHERE s.expires_at < now();
	INSERT INTO sessions (token_hash, provider_id, key_hash, csrf,
	    expires_at)
	    SELECT p_token_hash, p.id, p.key_hash, p_csrf,
		now() + make_interval(secs => p_ttl)
	    FROM providers p WHERE p.id = p_provider AND p.status = 1;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	DELETE FROM signin_failures f WHERE f.addr = p_addr;
	RETURN true;
END
$$;
