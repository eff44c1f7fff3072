-- What the checks decide, counted; the devices they admit and refuse for
-- the limit, one by one; and who changed what. The functions that write
-- and read these are in sql/functions/stats.sql and audit.sql, the views
-- for BI tools in sql/bi.sql.

-- The kinds of decision the check makes (ll_check's o_decision), by the
-- small number check_events stores.
CREATE TABLE decisions (
	code		smallint PRIMARY KEY,
	name		text NOT NULL UNIQUE
);
INSERT INTO decisions (code, name) VALUES
	(1, 'admitted_new'),		-- a device took a slot
	(2, 'admitted_known'),		-- a device that holds one asked again
	(3, 'refused_limit'),		-- the link is full
	(4, 'refused_disabled'),	-- the link or its provider is disabled
	(5, 'refused_domain'),		-- id is no active domain of the provider
	(6, 'refused_hwid'),		-- no valid HWID
	(7, 'refused_unknown');		-- no such link

-- Checks per link and UTC day, one column per decision (refused_unknown
-- has no link). The workers count in memory and add their counts here
-- every stats_flush seconds (ll_stats_flush); a row per link that was
-- checked that day. The per-link history and the links with the most
-- refusals read it. A row is updated by every flush that counts its link
-- that day: room on its page lets the new version stay there without
-- new index entries (a HOT update).
CREATE TABLE stats_link_daily (
	day		date NOT NULL,
	provider_id	bigint NOT NULL,
	link_id		bigint NOT NULL,
	admitted_new	integer NOT NULL DEFAULT 0,
	admitted_known	integer NOT NULL DEFAULT 0,
	refused_limit	integer NOT NULL DEFAULT 0,
	refused_disabled integer NOT NULL DEFAULT 0,
	refused_domain	integer NOT NULL DEFAULT 0,
	refused_hwid	integer NOT NULL DEFAULT 0,
	PRIMARY KEY (provider_id, day, link_id)
) WITH (fillfactor = 70);
CREATE INDEX stats_link_daily_link ON stats_link_daily (link_id, day);
-- the few rows the attention list needs out of a provider's many
CREATE INDEX stats_link_daily_refused ON stats_link_daily (provider_id, day)
	INCLUDE (link_id, refused_limit) WHERE refused_limit > 0;

-- The same checks per provider and UTC day, by the OS and app version the
-- app reported ('' when it sent none): a provider's daily figures without
-- adding up its links. Checks of unknown links (refused_unknown) belong
-- to no provider: their rows have provider_id 0.
CREATE TABLE stats_provider_daily (
	day		date NOT NULL,
	provider_id	bigint NOT NULL,
	os		text NOT NULL,
	app_version	text NOT NULL,
	admitted_new	bigint NOT NULL DEFAULT 0,
	admitted_known	bigint NOT NULL DEFAULT 0,
	refused_limit	bigint NOT NULL DEFAULT 0,
	refused_disabled bigint NOT NULL DEFAULT 0,
	refused_domain	bigint NOT NULL DEFAULT 0,
	refused_hwid	bigint NOT NULL DEFAULT 0,
	refused_unknown	bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (provider_id, day, os, app_version)
) WITH (fillfactor = 70);

-- The last flush each worker process has had applied: a flush whose
-- answer was lost is sent again with the same number, and applied once.
-- limited-links maintain forgets workers silent for a week.
CREATE TABLE stats_flushes (
	worker		text PRIMARY KEY CHECK (length(worker) <= 64),
	seq		bigint NOT NULL,
	at		timestamptz NOT NULL DEFAULT now()
);

-- Admissions of new devices and refusals for the limit, one by one, as
-- the workers flush them. One partition per month (check_events_YYYYMM,
-- made ahead by limited-links maintain and, when missing, by the flush
-- that needs it); maintain drops those older than retention_months.
CREATE TABLE check_events (
	at		timestamptz NOT NULL,
	provider_id	bigint NOT NULL,
	link_id		bigint NOT NULL,
	decision	smallint NOT NULL CHECK (decision IN (1, 3)),
	hwid		text NOT NULL,
	device_os	text,
	os_version	text,
	model		text,
	app_version	text
) PARTITION BY RANGE (at);
-- a link's latest refusals, newest first, across the partitions
CREATE INDEX check_events_link ON check_events (link_id, at);

-- A web session's number, for the audit trail: the token's hash stays in
-- sessions alone.
ALTER TABLE sessions ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;

-- Every management action through the API, the web account or the
-- operator's commands, written by the statement that carries it out:
-- who (actor, the web session, the client's address), what (action, the
-- target), and the values before and after. Never a key, a key's hash or
-- a session token.
CREATE TABLE audit_log (
	id		bigserial PRIMARY KEY,
	at		timestamptz NOT NULL DEFAULT now(),
	-- the provider whose account it changed
	provider_id	bigint NOT NULL,
	actor		text NOT NULL CHECK (actor IN ('api', 'web', 'operator')),
	session_id	bigint,
	address		text CHECK (length(address) <= 64),
	action		text NOT NULL,
	link_id		bigint,
	target		text NOT NULL,
	before		jsonb,
	after		jsonb
);
CREATE INDEX audit_log_provider ON audit_log (provider_id, at);
CREATE INDEX audit_log_link ON audit_log (link_id, at)
	WHERE link_id IS NOT NULL;
