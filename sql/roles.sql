-- The database's roles, made sure of by scripts/migrate as the cluster's
-- superuser before the numbered migrations, on every run (nothing here
-- changes what is already so):
--   ll_owner  owns the database and everything in it. Nobody signs in as
--             it: the migrations run as it (SET ROLE), so whatever they
--             make is its.
--   ll_app    the workers' role. It signs in, with a password, and may
--             only run the functions sql/privileges.sql lists: no table,
--             no sequence, nothing it could create.
--   ll_bi     for BI tools. It signs in, with a password, and may read
--             the views of the schema bi (sql/bi.sql) and nothing else:
--             no table, no function of ours, no other schema, no write.
-- The superuser that made the cluster stays, for these scripts only.

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'll_owner') THEN
		CREATE ROLE ll_owner;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'll_app') THEN
		CREATE ROLE ll_app;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'll_bi') THEN
		CREATE ROLE ll_bi;
	END IF;
	EXECUTE format('ALTER DATABASE %I OWNER TO ll_owner', current_database());
	-- connecting is ll_app's alone (and the owner's); nobody may create
	-- a schema or a temporary table in it
	EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
	EXECUTE format('GRANT CONNECT ON DATABASE %I TO ll_app', current_database());
	EXECUTE format('GRANT CONNECT ON DATABASE %I TO ll_bi', current_database());
END
$$;

ALTER ROLE ll_owner NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
	NOREPLICATION NOBYPASSRLS;
ALTER ROLE ll_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
	NOREPLICATION NOBYPASSRLS NOINHERIT;
ALTER ROLE ll_bi LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
	NOREPLICATION NOBYPASSRLS NOINHERIT;
-- whatever a tool sends, its transactions only read
ALTER ROLE ll_bi SET default_transaction_read_only = on;
-- the workers' names resolve in public (ll_check() takes its caller's
-- search_path: sql/privileges.sql)
ALTER ROLE ll_app SET search_path = public;

-- only the owner creates in the schema (PostgreSQL 15 already keeps
-- others out of public; older versions do not), and only the roles that
-- run its functions look into it: ll_bi sees the schema bi alone
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE USAGE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO ll_owner;
GRANT USAGE ON SCHEMA public TO ll_app;
