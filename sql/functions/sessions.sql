-- The web account's sessions and the slowing down of failed sign-ins.
-- Re-applied by scripts/migrate on every run.

-- The wait after n failures in a row: none below five, then 30 seconds,
-- doubling, at most 15 minutes.
CREATE OR REPLACE FUNCTION ll_signin_delay(p_failures integer)
RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN p_failures < 5 THEN interval '0'
	    ELSE least(interval '30 seconds' * power(2, least(p_failures - 5, 10)),
		interval '15 minutes') END
$$;

-- How long failures are remembered after the last one (beyond its wait).
CREATE OR REPLACE FUNCTION ll_signin_window() RETURNS interval
LANGUAGE sql IMMUTABLE AS $$ SELECT interval '10 minutes' $$;

-- Seconds p_addr must still wait before it may try to sign in; 0: now.
CREATE OR REPLACE FUNCTION ll_signin_wait(p_addr text) RETURNS integer
LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT greatest(0, ceil(extract(epoch FROM
	    f.last_at + ll_signin_delay(f.failures) - now())))::integer
	    FROM signin_failures f WHERE f.addr = p_addr), 0)
$$;

-- Counts a failed sign-in from p_addr and returns the seconds it must now
-- wait. Failures older than the window (after their wait) start over.
-- Rows nobody needs any more are removed on the way.
CREATE OR REPLACE FUNCTION ll_signin_failed(p_addr text) RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM signin_failures f
	    WHERE f.last_at < now() - ll_signin_window() - interval '15 minutes';
	INSERT INTO signin_failures AS f (addr, failures) VALUES (p_addr, 1)
	    ON CONFLICT (addr) DO UPDATE SET
		failures = CASE WHEN f.last_at < now() - ll_signin_window()
		    - ll_signin_delay(f.failures) THEN 1
		    ELSE f.failures + 1 END,
		last_at = now();
	RETURN ll_signin_wait(p_addr);
END
$$;

-- Starts a session of p_ttl seconds for an active provider and forgets
-- the failed sign-ins of p_addr, so that a provider who mistyped a few
-- times does not start its next session one slip away from the wait;
-- returns whether it did. Expired sessions are removed on the way.
CREATE OR REPLACE FUNCTION ll_session_create(p_token_hash text,
    p_provider bigint, p_csrf text, p_ttl integer, p_addr text)
RETURNS boolean
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

-- The live session with this token hash: no row when there is none, when
-- it expired, or when its provider was disabled or given a new key since.
CREATE OR REPLACE FUNCTION ll_session_get(p_token_hash text,
    OUT provider_id bigint, OUT provider_code text, OUT csrf text)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	SELECT s.provider_id, p.code, s.csrf
	FROM sessions s JOIN providers p ON p.id = s.provider_id
	WHERE s.token_hash = p_token_hash AND s.expires_at > now()
	    AND p.status = 1 AND p.key_hash = s.key_hash
$$;

CREATE OR REPLACE FUNCTION ll_session_delete(p_token_hash text)
RETURNS boolean
LANGUAGE sql AS $$
	WITH d AS (DELETE FROM sessions WHERE token_hash = p_token_hash
	    RETURNING 1)
	SELECT EXISTS (SELECT 1 FROM d)
$$;
