-- The audit trail: who changed what in a provider's account. Every
-- management function (providers.sql, domains.sql, links.sql,
-- devices.sql) takes its actor as its last three parameters and writes
-- its row through ll_audit, in the statement that carries the action
-- out: an action that is refused or rolled back leaves no row, and no
-- action is done without one. Re-applied by scripts/migrate on every run,
-- before the files whose functions call it.

-- Writes one row. p_actor is 'api', 'web' or 'operator', 'self-service'
-- (the end user of a link, on its self-service page) or 'server' (the
-- expiry sweep); p_session the hash of a web session's token (only its
-- number is kept), NULL otherwise; p_addr the client's address (NULL for
-- the server). The callers build p_before and p_after from the columns
-- they change, never from a key, a token, a secret or their hashes.
CREATE OR REPLACE FUNCTION ll_audit(p_provider bigint, p_actor text,
    p_session text, p_addr text, p_action text, p_link bigint,
    p_target text, p_before jsonb, p_after jsonb)
RETURNS void
LANGUAGE sql AS $$
	INSERT INTO audit_log (provider_id, actor, session_id, address,
	    action, link_id, target, before, after)
	VALUES (p_provider, p_actor, CASE WHEN p_actor = 'web' THEN
		(SELECT s.id FROM sessions s WHERE s.token_hash = p_session)
	    END, left(p_addr, 64), p_action, p_link, p_target, p_before,
	    p_after)
$$;

-- The provider's audit trail, newest first: actions from p_from to p_to
-- (UTC days, inclusive), on link p_link only when it is not NULL, at most
-- p_limit. No row: p_link is no link of the provider's. Without actions
-- to show, one row whose columns are NULL. actor reads "api", "web:N"
-- (web session number N), "operator", "self-service" or "server".
CREATE OR REPLACE FUNCTION ll_audit_list(p_provider bigint, p_link bigint,
    p_from date, p_to date, p_limit integer,
    OUT date text, OUT actor text, OUT action text, OUT target text,
    OUT before text, OUT after text, OUT address text)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	SELECT ll_ts(a.at),
	    a.actor || CASE WHEN a.session_id IS NOT NULL
		THEN ':' || a.session_id ELSE '' END,
	    a.action, a.target, a.before::text, a.after::text,
	    coalesce(a.address, '')
	FROM (SELECT NULL::bigint AS id WHERE p_link IS NULL
	    UNION ALL
	    SELECT l.id FROM links l
	    WHERE l.id = p_link AND l.provider_id = p_provider) k
	LEFT JOIN LATERAL (
		SELECT * FROM audit_log a
		WHERE a.provider_id = p_provider
		    AND (k.id IS NULL OR a.link_id = k.id)
		    AND a.at >= p_from::timestamp AT TIME ZONE 'UTC'
		    AND a.at < (p_to + 1)::timestamp AT TIME ZONE 'UTC'
		ORDER BY a.at DESC, a.id DESC
		LIMIT p_limit) a ON true
	ORDER BY a.at DESC, a.id DESC
$$;
