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
