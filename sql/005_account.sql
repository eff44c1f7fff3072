-- History: the functions below are as this migration first made them.
-- Their current definitions are in sql/functions/, which scripts/migrate
-- applies after the numbered migrations on every run.

-- The provider's web account: sign-in sessions, the slowing down of failed
-- sign-ins, and what a link must remember to show its final link again.

-- One signed-in browser. Only the SHA-256 of the cookie's token is stored,
-- so a copy of this table signs nobody in. key_hash is the provider's key
-- hash when the session began: rotating the key ends its sessions.
CREATE TABLE sessions (
	token_hash	text PRIMARY KEY CHECK (token_hash ~ '^[a-f0-9]{64}$'),
	provider_id	bigint NOT NULL REFERENCES providers ON DELETE CASCADE,
	key_hash	text NOT NULL,
	csrf		text NOT NULL CHECK (csrf ~ '^[A-Za-z0-9]{32}$'),
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_provider ON sessions (provider_id);

-- Failed sign-ins per remote address. From the fifth failure on, the
-- address must wait before it may try again, twice as long each time.
CREATE TABLE signin_failures (
	addr		text PRIMARY KEY CHECK (length(addr) <= 64),
	failures	integer NOT NULL CHECK (failures > 0),
	last_at		timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signin_failures_last ON signin_failures (last_at);

-- The subscription URL and title of a link made in the web account, so
-- that its page can build the final and the encrypted link again. NULL for
-- links made through the API, which never sees them.
ALTER TABLE links
	ADD COLUMN sub_url text CHECK (length(sub_url) <= 2048),
	ADD COLUMN title text CHECK (length(title) <= 255);

-- The wait after n failures in a row: none below five, then 30 seconds,
-- doubling, at most 15 minutes.
CREATE FUNCTION ll_signin_delay(p_failures integer) RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN p_failures < 5 THEN interval '0'
	    ELSE least(interval '30 seconds' * power(2, least(p_failures - 5, 10)),
		interval '15 minutes') END
$$;

-- How long failures are remembered after the last one (beyond its wait).
CREATE FUNCTION ll_signin_window() RETURNS interval
LANGUAGE sql IMMUTABLE AS $$ SELECT interval '10 minutes' $$;

-- Seconds p_addr must still wait before it may try to sign in; 0: now.
CREATE FUNCTION ll_signin_wait(p_addr text) RETURNS integer
LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT greatest(0, ceil(extract(epoch FROM
	    f.last_at + ll_signin_delay(f.failures) - now())))::integer
	    FROM signin_failures f WHERE f.addr = p_addr), 0)
$$;

-- Counts a failed sign-in from p_addr and returns the seconds it must now
-- wait. Failures older than the window (after their wait) start over.
-- Rows nobody needs any more are removed on the way.
CREATE FUNCTION ll_signin_failed(p_addr text) RETURNS integer
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

-- Starts a session of p_ttl seconds for an active provider; returns
-- whether it did. Expired sessions are removed on the way.
CREATE FUNCTION ll_session_create(p_token_hash text, p_provider bigint,
    p_csrf text, p_ttl integer) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM sessions s WHERE s.expires_at < now();
	INSERT INTO sessions (token_hash, provider_id, key_hash, csrf,
	    expires_at)
	    SELECT p_token_hash, p.id, p.key_hash, p_csrf,
		now() + make_interval(secs => p_ttl)
	    FROM providers p WHERE p.id = p_provider AND p.status = 1;
	RETURN FOUND;
END
$$;

-- The live session with this token hash: no row when there is none, when
-- it expired, or when its provider was disabled or given a new key since.
CREATE FUNCTION ll_session_get(p_token_hash text,
    OUT provider_id bigint, OUT provider_code text, OUT csrf text)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	SELECT s.provider_id, p.code, s.csrf
	FROM sessions s JOIN providers p ON p.id = s.provider_id
	WHERE s.token_hash = p_token_hash AND s.expires_at > now()
	    AND p.status = 1 AND p.key_hash = s.key_hash
$$;

CREATE FUNCTION ll_session_delete(p_token_hash text) RETURNS boolean
LANGUAGE sql AS $$
	WITH d AS (DELETE FROM sessions WHERE token_hash = p_token_hash
	    RETURNING 1)
	SELECT EXISTS (SELECT 1 FROM d)
$$;

-- The subscription URL and title of the provider's link; no row when the
-- link is not the provider's, NULLs when it has none.
CREATE FUNCTION ll_link_target(p_provider bigint, p_id bigint,
    OUT sub_url text, OUT title text)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	SELECT l.sub_url, l.title FROM links l
	WHERE l.id = p_id AND l.provider_id = p_provider
$$;

-- Stores them; returns whether the link is the provider's.
CREATE FUNCTION ll_link_set_target(p_provider bigint, p_id bigint,
    p_url text, p_title text) RETURNS boolean
LANGUAGE sql AS $$
	WITH u AS (UPDATE links l SET sub_url = p_url, title = p_title
	    WHERE l.id = p_id AND l.provider_id = p_provider RETURNING 1)
	SELECT EXISTS (SELECT 1 FROM u)
$$;
