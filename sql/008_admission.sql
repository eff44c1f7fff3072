-- The check at the cost of its work: the rows an admission writes carry
-- only the CHECK that guards the count, and ll_check() evaluates fewer
-- expressions of its own.

-- PostgreSQL evaluates every CHECK constraint of a table on every UPDATE
-- of a row, and reads and prepares each one's expression again for every
-- statement that writes the table: every admission (links.install_count
-- + 1) paid for the install code's regular expression and five other
-- checks of columns it never changes, and every refresh of a device's
-- last_seen for the HWID's; together over a third of what an admission
-- cost PostgreSQL. A domain's check runs only when a value is assigned to a
-- column of the domain (an INSERT, or an UPDATE that sets that column),
-- so the format checks move into domains. The domains are made without
-- their checks first, so that changing the columns' types rewrites
-- nothing; adding each check then validates the rows in place.
CREATE DOMAIN ll_install_code AS text;
CREATE DOMAIN ll_install_limit AS integer;
CREATE DOMAIN ll_link_status AS smallint;
CREATE DOMAIN ll_label AS text;		-- a link's note and title
CREATE DOMAIN ll_url AS text;
CREATE DOMAIN ll_hwid AS text;

ALTER TABLE links
	DROP CONSTRAINT links_install_code_check,
	DROP CONSTRAINT links_install_limit_check,
	DROP CONSTRAINT links_status_check,
	DROP CONSTRAINT links_note_check,
	DROP CONSTRAINT links_sub_url_check,
	DROP CONSTRAINT links_title_check,
	ALTER COLUMN install_code TYPE ll_install_code,
	ALTER COLUMN install_limit TYPE ll_install_limit,
	ALTER COLUMN status TYPE ll_link_status,
	ALTER COLUMN note TYPE ll_label,
	ALTER COLUMN sub_url TYPE ll_url,
	ALTER COLUMN title TYPE ll_label;
ALTER TABLE devices
	DROP CONSTRAINT devices_hwid_check,
	ALTER COLUMN hwid TYPE ll_hwid;

-- A bounded repetition ({12}, {1,128}) makes PostgreSQL's regular
-- expression engine build a large automaton: matching the HWID against
-- '^[A-Za-z0-9._:=-]{1,128}$' cost about 13 us, the length and a plain
-- class below well under one, with the same meaning (the characters are
-- ASCII, so characters and bytes agree).
ALTER DOMAIN ll_install_code ADD CONSTRAINT ll_install_code_format
	CHECK (length(VALUE) = 12 AND VALUE ~ '^[A-Za-z0-9]+$');
ALTER DOMAIN ll_install_limit ADD CONSTRAINT ll_install_limit_range
	CHECK (VALUE BETWEEN 1 AND 100);
ALTER DOMAIN ll_link_status ADD CONSTRAINT ll_link_status_known
	CHECK (VALUE IN (5, 10));
ALTER DOMAIN ll_label ADD CONSTRAINT ll_label_length
	CHECK (length(VALUE) <= 255);
ALTER DOMAIN ll_url ADD CONSTRAINT ll_url_length
	CHECK (length(VALUE) <= 2048);
ALTER DOMAIN ll_hwid ADD CONSTRAINT ll_hwid_format
	CHECK (length(VALUE) BETWEEN 1 AND 128 AND VALUE ~ '^[-A-Za-z0-9._:=]+$');

-- An admission rewrites its link's row. Room left on the row's page lets
-- the new version stay on it without touching the link's three indexes
-- (a HOT update); a full page sends it elsewhere, with three index
-- entries. The setting governs pages filled from now on.
ALTER TABLE links SET (fillfactor = 70);

-- The check endpoint: may this device add this link?
--
-- One call, one round trip, safe under READ COMMITTED; the same answers
-- and the same statements as before, with fewer expressions around them.
-- The server calls it as "SELECT ll_check(...)" and reads the row's text,
-- "(providerid,status,t|f)": a function called in the select list costs
-- PostgreSQL less than one scanned in FROM.
--
-- Measured with callgrind per call on a single backend (README.md,
-- "Benchmark"): simple statements run one after another cost less than
-- one statement that does it all. PostgreSQL 15 sets up every node and
-- expression of a plan again for each execution, and a data-modifying
-- CTE chain (read, take, insert, in one statement) costs more to set up
-- than the few statements below cost together, for new devices (16%
-- more) and far more for re-checks, which would set up all of it to
-- read one row.
--
-- A device that holds a slot is answered from two plain reads (and its
-- last_seen refreshed at most every ll_seen_every()). A new device takes
-- a slot with an UPDATE of the link row that only matches while
-- install_count is below the limit: the row lock serialises admissions
-- to one link, and PostgreSQL re-checks the WHERE clause on the newest
-- row version after waiting for the lock (EvalPlanQual), so however many
-- devices ask at once, no more than the limit get in; the CHECK on the
-- count backs this up. The device row is inserted in the same
-- transaction.
--
-- The same device asking twice at once: both requests may find no row
-- for it. The one that waits for the link row's lock takes a slot after
-- the first has committed, and its insert then meets the first one's row
-- (ON CONFLICT sees committed rows, whatever the statement's snapshot):
-- it hands the slot back and admits. If instead its UPDATE matched
-- nothing (the first one took the last slot), a last read, with a newer
-- snapshot, finds the device's row and admits. A device is never refused
-- because of itself, and the count stays equal to the rows.
--
-- Lock order: a slot taken locks the link row, then writes the device
-- row; a refresh writes only the device row; ll_device_delete() locks the
-- link row, then deletes the device row. No two of them wait on each
-- other in opposite orders.
--
-- Every expression PL/pgSQL evaluates itself (an IF, an assignment) is
-- set up again in each transaction, so the reads compute what the steps
-- test: a re-check evaluates four.
CREATE OR REPLACE FUNCTION ll_check(p_hash text, p_code text, p_hwid text,
    p_os text, p_os_version text, p_model text, p_app_version text,
    p_user_agent text,
    OUT o_providerid text, OUT o_status integer, OUT o_import boolean)
LANGUAGE plpgsql AS $$
DECLARE
	v_link		bigint;
	v_active	boolean;
	v_stale		boolean;
BEGIN
	SELECT l.id, p.code, l.status::integer,
	    l.status = 10 AND p.status = 1 AND p_hwid IS NOT NULL AND EXISTS (
		SELECT 1 FROM domains d
		WHERE d.provider_id = l.provider_id
		    AND d.domain_hash = p_hash AND d.status = 1)
	    INTO v_link, o_providerid, o_status, v_active
	    FROM links l JOIN providers p ON p.id = l.provider_id
	    WHERE l.install_code = p_code;
	-- NULL: no such link
	IF v_active IS NOT TRUE THEN
		o_providerid := coalesce(o_providerid, '');
		o_status := coalesce(o_status, 0);
		o_import := false;
		RETURN;
	END IF;

	SELECT d.last_seen < now() - ll_seen_every() INTO v_stale
	    FROM devices d WHERE d.link_id = v_link AND d.hwid = p_hwid;
	IF FOUND THEN
		IF v_stale THEN
			UPDATE devices d SET last_seen = now(),
			    device_os = coalesce(p_os, d.device_os),
			    os_version = coalesce(p_os_version, d.os_version),
			    model = coalesce(p_model, d.model),
			    app_version = coalesce(p_app_version, d.app_version),
			    user_agent = coalesce(p_user_agent, d.user_agent)
			    WHERE d.link_id = v_link AND d.hwid = p_hwid;
		END IF;
		o_import := true;
		RETURN;
	END IF;

	UPDATE links l SET install_count = l.install_count + 1
	    WHERE l.id = v_link AND l.install_count < l.install_limit
		AND l.status = 10;
	IF FOUND THEN
		INSERT INTO devices (link_id, hwid, device_os, os_version,
		    model, app_version, user_agent, domain_hash)
		    VALUES (v_link, p_hwid, p_os, p_os_version, p_model,
			p_app_version, p_user_agent, p_hash)
		    ON CONFLICT (link_id, hwid) DO NOTHING;
		IF NOT FOUND THEN
			-- the device took a slot a moment ago: give this
			-- one back
			UPDATE links l SET install_count = l.install_count - 1
			    WHERE l.id = v_link;
		END IF;
		o_import := true;
		RETURN;
	END IF;

	-- full, or disabled meanwhile; a concurrent call may have admitted
	-- this very device, and this statement sees it now
	SELECT EXISTS (SELECT 1 FROM devices d
	    WHERE d.link_id = v_link AND d.hwid = p_hwid) INTO o_import;
END
$$;
