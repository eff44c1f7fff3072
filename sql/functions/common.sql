-- Helpers every concern uses. Re-applied by scripts/migrate on every run,
-- first of the function files.

-- Dates as the contract gives them: UTC, "YYYY-MM-DD HH:MM:SS".
CREATE OR REPLACE FUNCTION ll_ts(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
$$;

-- A device as the audit trail keeps it, when its slot is freed: what the
-- app told of it and when it first came. Callers add what their action
-- knows besides (its last check, the link's count or expiry).
CREATE OR REPLACE FUNCTION ll_device_audited(d devices) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object('hwid', d.hwid, 'device_os', d.device_os,
	    'os_version', d.os_version, 'model', d.model,
	    'app_version', d.app_version, 'first_seen', ll_ts(d.first_seen))
$$;

-- What the contract calls a device's device_name: "Pixel 8 (Android 14)",
-- or what of it the app sent; an empty header counts as absent.
CREATE OR REPLACE FUNCTION ll_device_name(p_model text, p_os text,
    p_os_version text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT trim(coalesce(nullif(p_model, ''), '') || CASE
	    WHEN coalesce(nullif(p_os, ''), nullif(p_os_version, '')) IS NULL
		THEN ''
	    ELSE ' (' || trim(coalesce(p_os, '') || ' ' ||
		coalesce(p_os_version, '')) || ')' END)
$$;

-- GET /healthz: the database answers, through the workers' own role and
-- prepared statements, and touches no table.
CREATE OR REPLACE FUNCTION ll_ping() RETURNS integer
LANGUAGE sql STABLE AS $$ SELECT 1 $$;
