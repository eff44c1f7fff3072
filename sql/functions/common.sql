-- Helpers every concern uses. Re-applied by scripts/migrate on every run,
-- first of the function files.

-- Dates as the contract gives them: UTC, "YYYY-MM-DD HH:MM:SS".
CREATE OR REPLACE FUNCTION ll_ts(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
$$;
