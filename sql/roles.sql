-- The database's roles, made sure of by scripts/migrate as the cluster's
-- superuser before the numbered migrations, on every run (nothing here
-- changes what is already so):
--   ll_owner  owns the database and everything in it. Nobody signs in as
--             it: the migrations run as it (SET ROLE), so whatever they
--             make is its.
--   ll_app    the workers' role. It signs in, with a password, and may
--             only run the functions sql/privileges.sql lists: no table,
--             no sequence, nothing it could create.
-- The superuser that made the cluster stays, for these scripts only.

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'll_owner') THEN
		CREATE ROLE ll_owner;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'll_app') THEN
		CREATE ROLE ll_app;
	END IF;
	EXECUTE format('ALTER DATABASE %I OWNER TO ll_owner', current_database());
	-- connecting is ll_app's alone (and the owner's); nobody may create
	-- a schema or a temporary table in it
	EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
	EXECUTE format('GRANT CONNECT ON DATABASE %I TO ll_app', current_database());
END
$$;

ALTER ROLE ll_owner NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
	NOREPLICATION NOBYPASSRLS;
ALTER ROLE ll_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
	NOREPLICATION NOBYPASSRLS NOINHERIT;

-- only the owner creates in the schema (PostgreSQL 15 already keeps
-- others out of public; older versions do not)
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO ll_owner;
