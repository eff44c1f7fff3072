-- A provider's devices by OS and app version and its links' fill, as the
-- dashboard shows them for the whole account, counted off the check's
-- path: counting them live costs in proportion to the provider's devices
-- (a second and more for hundreds of thousands), and keeping them up to
-- date on every admission would make all admissions of a provider queue
-- on one row. ll_stats_now() counts them again, in one statement, when a
-- dashboard finds them older than stats_summary_age seconds; the sender
-- process counts again, ahead of that, those asked for of late.
CREATE TABLE stats_provider_now (
	provider_id	bigint PRIMARY KEY,
	-- when they were counted (the counting statement's snapshot)
	as_of		timestamptz NOT NULL,
	-- when a dashboard last asked for them
	asked_at	timestamptz NOT NULL,
	-- the links in each fill bucket, 0 to 10, as ll_stats_fill()
	fill		bigint[] NOT NULL CHECK (cardinality(fill) = 11),
	-- [[kind, name, devices], ...] as ll_stats_devices() answers
	shares		jsonb NOT NULL
);
CREATE INDEX stats_provider_now_as_of ON stats_provider_now (as_of);

-- Refusals for the limit per link since its first, as the flushes add
-- them (ll_stats_flush): no period of a link can hold more. The list of
-- links that need attention over a long period takes its links in this
-- order and stops as soon as no further link can have had as many in the
-- period as the ones it found, instead of adding up every per-link daily
-- row of the period (see ll_stats_attention).
CREATE TABLE stats_link_refused (
	link_id		bigint PRIMARY KEY,
	provider_id	bigint NOT NULL,
	refused_limit	bigint NOT NULL
);
CREATE INDEX stats_link_refused_most ON stats_link_refused
	(provider_id, refused_limit DESC, link_id);
INSERT INTO stats_link_refused (link_id, provider_id, refused_limit)
	SELECT s.link_id, min(s.provider_id), sum(s.refused_limit)
	FROM stats_link_daily s WHERE s.refused_limit > 0
	GROUP BY s.link_id;
