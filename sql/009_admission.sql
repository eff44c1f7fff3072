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
