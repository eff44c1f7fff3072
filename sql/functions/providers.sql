-- Provider accounts: the operator's `limited-links provider` commands and
-- the authentication of the API and the web account. Re-applied by
-- scripts/migrate on every run.

CREATE OR REPLACE FUNCTION ll_auth(p_code text,
    OUT id bigint, OUT key_hash text, OUT status smallint)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	SELECT p.id, p.key_hash, p.status FROM providers p WHERE p.code = p_code
$$;

-- Earlier versions wrote no audit row.
DROP FUNCTION IF EXISTS ll_provider_add(text, text, text, integer);
DROP FUNCTION IF EXISTS ll_provider_set_status(text, smallint);
DROP FUNCTION IF EXISTS ll_provider_set_key(text, text);

-- Returns the new provider's id; a taken code raises unique_violation.
-- The actor (p_actor, p_session, p_addr: see ll_audit) is the operator.
CREATE OR REPLACE FUNCTION ll_provider_add(p_code text, p_name text,
    p_key_hash text, p_link_cap integer, p_actor text, p_session text,
    p_addr text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint;
BEGIN
	INSERT INTO providers (code, name, key_hash, link_cap)
	    VALUES (p_code, p_name, p_key_hash, p_link_cap) RETURNING id
	    INTO v_id;
	PERFORM ll_audit(v_id, p_actor, p_session, p_addr, 'provider.add',
	    NULL, 'provider ' || p_code, NULL, jsonb_build_object(
		'provider_code', p_code, 'name', p_name, 'status', 1,
		'link_cap', p_link_cap));
	RETURN v_id;
END
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
    p_status smallint, p_actor text, p_session text, p_addr text)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint;
	v_old	smallint;
BEGIN
	SELECT p.id, p.status INTO v_id, v_old FROM providers p
	    WHERE p.code = p_code FOR UPDATE;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	UPDATE providers p SET status = p_status WHERE p.id = v_id;
	IF p_status <> 1 THEN
		DELETE FROM sessions s WHERE s.provider_id = v_id;
	END IF;
	PERFORM ll_audit(v_id, p_actor, p_session, p_addr,
	    CASE WHEN p_status = 1 THEN 'provider.enable'
		ELSE 'provider.disable' END,
	    NULL, 'provider ' || p_code, jsonb_build_object('status', v_old),
	    jsonb_build_object('status', p_status));
	RETURN true;
END
$$;

-- Returns whether the provider exists. The audit row says that the key
-- changed, and nothing of either key.
CREATE OR REPLACE FUNCTION ll_provider_set_key(p_code text, p_key_hash text,
    p_actor text, p_session text, p_addr text)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint;
BEGIN
	UPDATE providers p SET key_hash = p_key_hash WHERE p.code = p_code
	    RETURNING p.id INTO v_id;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM ll_audit(v_id, p_actor, p_session, p_addr,
	    'provider.rotate_key', NULL, 'provider ' || p_code, NULL, NULL);
	RETURN true;
END
$$;
