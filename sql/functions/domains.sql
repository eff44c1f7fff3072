-- A provider's domains: the hashes of the subscription domains the app
-- may admit its links through. Every function takes the authenticated
-- provider's id and touches nothing of another provider's; those that
-- change something take their actor last (see ll_audit). Re-applied by
-- scripts/migrate on every run, before links.sql, whose functions
-- register domains through ll_domain_put.

-- Earlier versions wrote no audit row.
DROP FUNCTION IF EXISTS ll_domain_add(bigint, text, text);
DROP FUNCTION IF EXISTS ll_domain_delete(bigint, bigint);

-- Registers a domain hash, for ll_domain_add and for the link functions
-- that register the domain of a link's URL as part of their own action.
-- Returns 'ok' (new), 'reactivated' (it had been deleted) or 'exists'
-- (already active).
CREATE OR REPLACE FUNCTION ll_domain_put(p_provider bigint, p_hash text,
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

-- Registers a domain hash, as ll_domain_put answers; a registration that
-- changed something is audited.
CREATE OR REPLACE FUNCTION ll_domain_add(p_provider bigint, p_hash text,
    p_name text, p_actor text, p_session text, p_addr text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_old	text;
	v_r	text;
BEGIN
	SELECT d.domain_name INTO v_old FROM domains d
	    WHERE d.provider_id = p_provider AND d.domain_hash = p_hash;
	v_r := ll_domain_put(p_provider, p_hash, p_name);
	IF v_r <> 'exists' THEN
		PERFORM ll_audit(p_provider, p_actor, p_session, p_addr,
		    'domain.add', NULL, 'domain ' || p_name,
		    CASE WHEN v_r = 'reactivated' THEN jsonb_build_object(
			'domain_hash', p_hash, 'domain_name', v_old,
			'status', 0) END,
		    jsonb_build_object('domain_hash', p_hash,
			'domain_name', p_name, 'status', 1));
	END IF;
	RETURN v_r;
END
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
    p_actor text, p_session text, p_addr text,
    OUT o_found boolean, OUT o_links integer)
LANGUAGE plpgsql AS $$
DECLARE
	v_hash	text;
	v_name	text;
BEGIN
	UPDATE domains d SET status = 0
	    WHERE d.id = p_id AND d.provider_id = p_provider AND d.status = 1
	    RETURNING d.domain_hash, d.domain_name INTO v_hash, v_name;
	o_found := FOUND;
	o_links := 0;
	IF NOT o_found THEN
		RETURN;
	END IF;
	SELECT count(DISTINCT l.id) INTO o_links FROM links l
	    JOIN devices v ON v.link_id = l.id
	    WHERE l.provider_id = p_provider AND l.status = 10
		AND v.domain_hash = v_hash;
	PERFORM ll_audit(p_provider, p_actor, p_session, p_addr,
	    'domain.delete', NULL, 'domain ' || v_name,
	    jsonb_build_object('domain_hash', v_hash, 'domain_name', v_name,
		'status', 1),
	    jsonb_build_object('status', 0, 'links_refused', o_links));
END
$$;
