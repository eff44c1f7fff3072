-- A provider's domains: the hashes of the subscription domains the app
-- may admit its links through. Every function takes the authenticated
-- provider's id and touches nothing of another provider's. Re-applied by
-- scripts/migrate on every run, before links.sql, whose functions
-- register domains through ll_domain_add.

-- Registers a domain hash. Returns 'ok' (new), 'reactivated' (it had been
-- deleted) or 'exists' (already active).
CREATE OR REPLACE FUNCTION ll_domain_add(p_provider bigint, p_hash text,
    p_name text)
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
CREATE OR REPLACE FUNCTION ll_domain_list(p_provider bigint,
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
CREATE OR REPLACE FUNCTION ll_domain_delete(p_provider bigint, p_id bigint,
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
