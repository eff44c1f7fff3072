-- Hands everything earlier versions made as the cluster's superuser to
-- ll_owner (see sql/roles.sql), the role every migration runs as from
-- now on. Only the superuser may give away what the superuser owns, so
-- this one migration leaves ll_owner's role. On a database made after
-- this change, there is nothing to hand over.
RESET ROLE;

DO $$
DECLARE
	r record;
BEGIN
	-- tables (their indexes and column sequences follow them)
	FOR r IN SELECT c.oid::regclass AS name FROM pg_class c
	    WHERE c.relnamespace = 'public'::regnamespace
		AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
		AND c.relowner <> 'll_owner'::regrole
	LOOP
		EXECUTE format('ALTER TABLE %s OWNER TO ll_owner', r.name);
	END LOOP;
	-- sequences of no column
	FOR r IN SELECT c.oid::regclass AS name FROM pg_class c
	    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S'
		AND c.relowner <> 'll_owner'::regrole
		AND NOT EXISTS (SELECT 1 FROM pg_depend d
		    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
			AND d.deptype IN ('a', 'i'))
	LOOP
		EXECUTE format('ALTER SEQUENCE %s OWNER TO ll_owner', r.name);
	END LOOP;
	FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p
	    WHERE p.pronamespace = 'public'::regnamespace
		AND p.proowner <> 'll_owner'::regrole
	LOOP
		EXECUTE format('ALTER ROUTINE %s OWNER TO ll_owner', r.name);
	END LOOP;
END
$$;
