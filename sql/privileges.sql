-- What ll_app, the workers' role, may do: run the entry points below and
-- nothing else. Re-applied by scripts/migrate after the function files
-- (sql/functions/) on every run, in their transaction, as ll_owner,
-- because CREATE OR REPLACE FUNCTION resets SECURITY DEFINER and its
-- search_path.
--
-- The entry points are the functions the server prepares (fcgi/db.c);
-- a function added there must be added here. Each runs with its owner's
-- rights (SECURITY DEFINER) and a search_path that only the owner can put
-- objects in. The helpers they call (ll_ts, ll_seen_every,
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
		EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER '
		    'SET search_path = public, pg_temp', f);
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO ll_app', f);
	END LOOP;
END
$$;
