-- What ll_app, the workers' role, may do: run the entry points below and
-- nothing else. Re-applied by scripts/migrate after the function files
-- (sql/functions/) on every run, in their transaction, as ll_owner,
-- because CREATE OR REPLACE FUNCTION resets SECURITY DEFINER and its
-- search_path.
--
-- The entry points are the functions the server prepares (fcgi/db.c);
-- a function added there must be added here. Each runs with its owner's
-- rights (SECURITY DEFINER) and a search_path that only the owner can put
-- objects in, all but ll_check(): see below. The helpers they call (ll_ts, ll_seen_every,
-- ll_signin_delay, ll_signin_window, ll_audit, ll_domain_put,
-- ll_webhook_emit, ...) stay plain: nobody but the owner may call them
-- directly. ll_app holds no right on any table or sequence, and ll_bi
-- none here (sql/bi.sql grants it the views).

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC, ll_app, ll_bi;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC, ll_app, ll_bi;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC, ll_app, ll_bi;
-- a function made later is not everyone's to run either
ALTER DEFAULT PRIVILEGES FOR ROLE ll_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

DO $$
DECLARE
	entry CONSTANT text[] := ARRAY[
		-- the check
		'll_check', 'll_provider_status',
		-- providers (the API's sign-in, and `limited-links provider`)
		'll_auth', 'll_provider_add', 'll_provider_list',
		'll_provider_set_status', 'll_provider_set_key',
		-- links, devices, domains
		'll_link_add', 'll_link_update', 'll_link_list',
		'll_link_count', 'll_device_list',
		'll_device_delete', 'll_domain_add', 'll_domain_list',
		'll_domain_delete',
		-- the web account
		'll_session_create', 'll_session_get', 'll_session_delete',
		'll_signin_wait', 'll_signin_failed', 'll_link_target',
		'll_link_set_target',
		-- a device's lifecycle: resets, self-service, webhooks
		'll_link_reset', 'll_self_service_set', 'll_self_service_get',
		'll_self_devices', 'll_self_release', 'll_webhook_set',
		'll_webhook_get', 'll_webhook_delete', 'll_webhook_events',
		'll_webhook_resend',
		-- the sender process
		'll_webhook_claim', 'll_webhook_result', 'll_webhook_prune',
		'll_expire_sweep',
		-- what the checks decided, the audit trail, upkeep
		'll_stats_flush', 'll_stats_days', 'll_stats_now', 'll_stats_refresh',
		'll_stats_devices',
		'll_stats_fill', 'll_stats_attention', 'll_refused_list',
		'll_audit_list', 'll_report', 'll_maintain',
		-- GET /healthz
		'll_ping'];
	n text;
	f regprocedure;
BEGIN
	FOREACH n IN ARRAY entry LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_proc p
		    WHERE p.pronamespace = 'public'::regnamespace
			AND p.proname = n) THEN
			RAISE EXCEPTION 'entry point % does not exist', n;
		END IF;
	END LOOP;
	FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
	    WHERE p.pronamespace = 'public'::regnamespace
		AND p.proname = ANY (entry)
	LOOP
		-- a definer's rights must never be a superuser's
		IF (SELECT p.proowner FROM pg_proc p WHERE p.oid = f)
		    <> 'll_owner'::regrole THEN
			RAISE EXCEPTION '% is not owned by ll_owner', f;
		END IF;
		IF f::text LIKE 'll_check(%' THEN
			EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER '
			    'RESET search_path', f);
		ELSE
			EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER '
			    'SET search_path = public, pg_temp', f);
		END IF;
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO ll_app', f);
	END LOOP;
END
$$;

-- ll_check() runs for every request of the app, and a function's own
-- search_path is set and undone on every call, with the schemas' rights
-- checked again each time: about a tenth of a re-check's work in
-- PostgreSQL (README.md, "Benchmark"). It runs with its caller's
-- search_path instead, which is safe only while no role but ll_owner can
-- create anything in any schema of this database, a temporary one
-- included: whatever path a caller sets, every name ll_check() and its
-- helpers use then resolves to ll_owner's objects or PostgreSQL's own,
-- or to nothing (and the call fails, which the check answers as
-- import:false). roles.sql makes it so; this makes sure of it on every
-- migration.
DO $$
DECLARE
	who text;
BEGIN
	SELECT string_agg(DISTINCT r.rolname || ' on ' || coalesce(n.nspname,
	    'the database (temporary tables)'), ', ') INTO who
	    FROM pg_roles r
		LEFT JOIN pg_namespace n
		    ON has_schema_privilege(r.oid, n.oid, 'CREATE')
	    -- pg_database_owner (which owns public) is the database's
	    -- owner, ll_owner (roles.sql)
	    WHERE NOT r.rolsuper AND r.rolname <> 'll_owner'
		AND NOT (r.rolname = 'pg_database_owner' AND
		    pg_get_userbyid((SELECT d.datdba FROM pg_database d
			WHERE d.datname = current_database())) = 'll_owner')
		AND (n.oid IS NOT NULL OR has_database_privilege(r.oid,
		    current_database(), 'TEMPORARY'));
	IF who IS NOT NULL THEN
		RAISE EXCEPTION 'll_check() runs with its caller''s '
		    'search_path, but roles other than ll_owner may create '
		    'objects: %', who;
	END IF;
	SELECT string_agg(m.member::regrole::text, ', ') INTO who
	    FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member
	    WHERE m.roleid = 'll_owner'::regrole AND NOT r.rolsuper;
	IF who IS NOT NULL THEN
		RAISE EXCEPTION 'roles other than superusers are members of '
		    'll_owner: %', who;
	END IF;
END
$$;
