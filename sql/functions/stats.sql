-- What the checks decided: the workers' counts and events written in
-- (ll_stats_flush), the figures a provider's dashboard and the API show,
-- the operator's report across providers, and the upkeep of the events'
-- monthly partitions (ll_maintain). Tables in sql/010_analytics.sql.
-- Re-applied by scripts/migrate on every run.

-- The partition of check_events for the month that starts on p_month,
-- made when missing; returns whether it made it. Owner-only: the flush
-- and ll_maintain call it with the owner's rights.
CREATE OR REPLACE FUNCTION ll_events_partition(p_month date)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	v_name	text := 'check_events_' || to_char(p_month, 'YYYYMM');
BEGIN
	IF to_regclass(v_name) IS NOT NULL THEN
		RETURN false;
	END IF;
	-- two workers' flushes may meet a new month at once
	PERFORM pg_advisory_xact_lock(7401);
	IF to_regclass(v_name) IS NOT NULL THEN
		RETURN false;
	END IF;
	EXECUTE format('CREATE TABLE %I PARTITION OF check_events '
	    'FOR VALUES FROM (%L) TO (%L)', v_name,
	    date_trunc('month', p_month)::timestamp AT TIME ZONE 'UTC',
	    (date_trunc('month', p_month) + interval '1 month')::timestamp
		AT TIME ZONE 'UTC');
	RETURN true;
END
$$;

-- Adds one worker's counts and events, as fcgi/counters.c sends them:
--   p_counts  [[day, provider, link, os, app_version, n1, ..., n7], ...]
--             day in days since 1970-01-01 (UTC), n1..n7 the checks of
--             each decision in decisions.code order; provider and link
--             0 for refused_unknown
--   p_events  [[ms, provider, link, code, hwid, os, os_version, model,
--             app_version], ...], ms since the epoch, code 1 or 3
-- p_worker and p_seq name the flush: one already applied (its answer was
-- lost and it came again) changes nothing and returns 0; otherwise
-- returns the rows it was given. The rows are upserted in key order, so
-- that workers flushing at once lock them in the same order.
CREATE OR REPLACE FUNCTION ll_stats_flush(p_worker text, p_seq bigint,
    p_counts jsonb, p_events jsonb)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_month	date;
BEGIN
	INSERT INTO stats_flushes AS f (worker, seq) VALUES (p_worker, p_seq)
	    ON CONFLICT (worker) DO UPDATE SET seq = excluded.seq, at = now()
	    WHERE f.seq < excluded.seq;
	IF NOT FOUND THEN
		RETURN 0;
	END IF;

	INSERT INTO stats_link_daily AS s (day, provider_id, link_id,
	    admitted_new, admitted_known, refused_limit, refused_disabled,
	    refused_domain, refused_hwid)
	SELECT date '1970-01-01' + (e->>0)::integer, (e->>1)::bigint,
	    (e->>2)::bigint, sum((e->>5)::integer), sum((e->>6)::integer),
	    sum((e->>7)::integer), sum((e->>8)::integer),
	    sum((e->>9)::integer), sum((e->>10)::integer)
	FROM jsonb_array_elements(p_counts) e
	WHERE (e->>2)::bigint <> 0
	GROUP BY 1, 2, 3
	ORDER BY 2, 1, 3
	ON CONFLICT (provider_id, day, link_id) DO UPDATE SET
	    admitted_new = s.admitted_new + excluded.admitted_new,
	    admitted_known = s.admitted_known + excluded.admitted_known,
	    refused_limit = s.refused_limit + excluded.refused_limit,
	    refused_disabled = s.refused_disabled + excluded.refused_disabled,
	    refused_domain = s.refused_domain + excluded.refused_domain,
	    refused_hwid = s.refused_hwid + excluded.refused_hwid;

	INSERT INTO stats_link_refused AS s (link_id, provider_id,
	    refused_limit)
	SELECT (e->>2)::bigint, (e->>1)::bigint, sum((e->>7)::bigint)
	FROM jsonb_array_elements(p_counts) e
	WHERE (e->>2)::bigint <> 0 AND (e->>7)::integer > 0
	GROUP BY 1, 2
	ORDER BY 1
	ON CONFLICT (link_id) DO UPDATE SET
	    refused_limit = s.refused_limit + excluded.refused_limit;

	INSERT INTO stats_provider_daily AS s (day, provider_id, os,
	    app_version, admitted_new, admitted_known, refused_limit,
	    refused_disabled, refused_domain, refused_hwid, refused_unknown)
	SELECT date '1970-01-01' + (e->>0)::integer, (e->>1)::bigint,
	    e->>3, e->>4, sum((e->>5)::bigint), sum((e->>6)::bigint),
	    sum((e->>7)::bigint), sum((e->>8)::bigint),
	    sum((e->>9)::bigint), sum((e->>10)::bigint),
	    sum((e->>11)::bigint)
	FROM jsonb_array_elements(p_counts) e
	GROUP BY 1, 2, 3, 4
	ORDER BY 2, 1, 3, 4
	ON CONFLICT (provider_id, day, os, app_version) DO UPDATE SET
	    admitted_new = s.admitted_new + excluded.admitted_new,
	    admitted_known = s.admitted_known + excluded.admitted_known,
	    refused_limit = s.refused_limit + excluded.refused_limit,
	    refused_disabled = s.refused_disabled + excluded.refused_disabled,
	    refused_domain = s.refused_domain + excluded.refused_domain,
	    refused_hwid = s.refused_hwid + excluded.refused_hwid,
	    refused_unknown = s.refused_unknown + excluded.refused_unknown;

	FOR v_month IN SELECT DISTINCT date_trunc('month',
	    to_timestamp((e->>0)::bigint / 1000.0) AT TIME ZONE 'UTC')::date
	    FROM jsonb_array_elements(p_events) e
	LOOP
		PERFORM ll_events_partition(v_month);
	END LOOP;
	INSERT INTO check_events (at, provider_id, link_id, decision, hwid,
	    device_os, os_version, model, app_version)
	SELECT to_timestamp((e->>0)::bigint / 1000.0), (e->>1)::bigint,
	    (e->>2)::bigint, (e->>3)::smallint, e->>4, e->>5, e->>6, e->>7,
	    e->>8
	FROM jsonb_array_elements(p_events) e;

	RETURN jsonb_array_length(p_counts) + jsonb_array_length(p_events);
END
$$;

-- The provider's link named by p_code and/or p_link, or with both NULL
-- the whole account: one row, link_id NULL for the account; no row when
-- a link is named and the provider has none such. What the figures
-- below start from.
CREATE OR REPLACE FUNCTION ll_stats_scope(p_provider bigint, p_code text,
    p_link bigint, OUT link_id bigint)
RETURNS SETOF bigint
LANGUAGE sql STABLE AS $$
	SELECT NULL::bigint WHERE p_code IS NULL AND p_link IS NULL
	UNION ALL
	SELECT l.id FROM links l
	WHERE ll_link_named(l, p_provider, p_code, p_link)
$$;

-- The checks of each day from p_from to p_to (UTC, inclusive), by
-- decision, zeros included: of the provider's account, or of one of its
-- links (p_code and/or p_link). No row: no such link.
CREATE OR REPLACE FUNCTION ll_stats_days(p_provider bigint, p_code text,
    p_link bigint, p_from date, p_to date,
    OUT day text, OUT admitted_new bigint, OUT admitted_known bigint,
    OUT refused_limit bigint, OUT refused_disabled bigint,
    OUT refused_domain bigint, OUT refused_hwid bigint)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	WITH k AS (
		SELECT link_id FROM ll_stats_scope(p_provider, p_code, p_link)
	), n AS (
		SELECT s.day, s.admitted_new, s.admitted_known,
		    s.refused_limit, s.refused_disabled, s.refused_domain,
		    s.refused_hwid
		FROM stats_provider_daily s
		WHERE (SELECT link_id FROM k) IS NULL AND EXISTS (SELECT 1 FROM k)
		    AND s.provider_id = p_provider
		    AND s.day BETWEEN p_from AND p_to
		UNION ALL
		SELECT s.day, s.admitted_new, s.admitted_known,
		    s.refused_limit, s.refused_disabled, s.refused_domain,
		    s.refused_hwid
		FROM stats_link_daily s
		WHERE s.link_id = (SELECT link_id FROM k)
		    AND s.provider_id = p_provider
		    AND s.day BETWEEN p_from AND p_to
	)
	SELECT to_char(p_from + i, 'YYYY-MM-DD'),
	    coalesce(sum(n.admitted_new), 0)::bigint,
	    coalesce(sum(n.admitted_known), 0)::bigint,
	    coalesce(sum(n.refused_limit), 0)::bigint,
	    coalesce(sum(n.refused_disabled), 0)::bigint,
	    coalesce(sum(n.refused_domain), 0)::bigint,
	    coalesce(sum(n.refused_hwid), 0)::bigint
	FROM k, generate_series(0, p_to - p_from) i
	LEFT JOIN n ON n.day = p_from + i
	GROUP BY i
	ORDER BY i
$$;

-- The devices holding a slot now on the provider's links (p_link NULL)
-- or on its link p_link, by the OS and by the app version they last
-- reported (kind 'os' or 'app_version'; name '' when they sent none),
-- counted live, most first. What ll_stats_devices() answers.
CREATE OR REPLACE FUNCTION ll_stats_count_shares(p_provider bigint,
    p_link bigint, OUT kind text, OUT name text, OUT devices bigint)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	WITH d AS (
		SELECT v.device_os, v.app_version
		FROM links l JOIN devices v ON v.link_id = l.id
		WHERE l.provider_id = p_provider
		    AND (p_link IS NULL OR l.id = p_link)
	)
	SELECT 'os', coalesce(d.device_os, ''), count(*) FROM d
	GROUP BY 2
	UNION ALL
	SELECT 'app_version', coalesce(d.app_version, ''), count(*) FROM d
	GROUP BY 2
	ORDER BY 1 DESC, 3 DESC, 2
$$;

-- How full the provider's links are (p_link NULL) or its link p_link,
-- counted live: the links in each of the eleven buckets of
-- ll_stats_fill(), zeros included, bucket 0 first.
CREATE OR REPLACE FUNCTION ll_stats_count_fill(p_provider bigint,
    p_link bigint)
RETURNS bigint[]
LANGUAGE sql STABLE AS $$
	SELECT array_agg(coalesce(c.n, 0) ORDER BY b)
	FROM generate_series(0, 10) b
	LEFT JOIN (
		SELECT CASE WHEN l.install_count >= l.install_limit THEN 10
		    ELSE l.install_count * 10 / l.install_limit END AS bucket,
		    count(*) AS n
		FROM links l
		WHERE l.provider_id = p_provider
		    AND (p_link IS NULL OR l.id = p_link)
		GROUP BY 1) c ON c.bucket = b
$$;

-- Counts the provider's devices by OS and app version and its links'
-- fill again, into stats_provider_now, in one statement (one snapshot);
-- p_asked: a dashboard asks for them now. Returns the new as_of.
CREATE OR REPLACE FUNCTION ll_stats_recount(p_provider bigint,
    p_asked boolean)
RETURNS timestamptz
LANGUAGE sql AS $$
	INSERT INTO stats_provider_now AS s (provider_id, as_of, asked_at,
	    fill, shares)
	SELECT p_provider, now(), now(),
	    ll_stats_count_fill(p_provider, NULL),
	    coalesce((SELECT jsonb_agg(jsonb_build_array(c.kind, c.name,
		c.devices) ORDER BY c.kind DESC, c.devices DESC, c.name)
		FROM ll_stats_count_shares(p_provider, NULL) c), '[]')
	ON CONFLICT (provider_id) DO UPDATE SET as_of = excluded.as_of,
	    asked_at = CASE WHEN p_asked THEN excluded.asked_at
		ELSE s.asked_at END,
	    fill = excluded.fill, shares = excluded.shares
	RETURNING as_of
$$;

-- The time the provider's devices by OS and app version and its links'
-- fill, as the dashboard of its whole account shows them, were counted
-- (UTC, 'YYYY-MM-DD HH:MM:SS'): counted again first, in one statement,
-- when they are older than p_max_age seconds or were never counted (0:
-- always). While another dashboard counts them, the ones there are
-- answered rather than counted twice. Read them with ll_stats_devices()
-- and ll_stats_fill().
CREATE OR REPLACE FUNCTION ll_stats_now(p_provider bigint,
    p_max_age integer, OUT as_of text)
LANGUAGE plpgsql AS $$
DECLARE
	v_at	timestamptz;
	v_asked	timestamptz;
BEGIN
	SELECT s.as_of, s.asked_at INTO v_at, v_asked
	    FROM stats_provider_now s WHERE s.provider_id = p_provider;
	IF v_at IS NULL OR v_at < now() - make_interval(secs => p_max_age)
	    OR p_max_age = 0 THEN
		-- one count at a time per provider; the first waits
		IF v_at IS NULL THEN
			PERFORM pg_advisory_xact_lock(7402,
			    (p_provider % 2147483647)::integer);
			SELECT s.as_of INTO v_at FROM stats_provider_now s
			    WHERE s.provider_id = p_provider;
			IF v_at IS NULL OR p_max_age = 0 THEN
				v_at := ll_stats_recount(p_provider, true);
			END IF;
		ELSIF pg_try_advisory_xact_lock(7402,
		    (p_provider % 2147483647)::integer) THEN
			v_at := ll_stats_recount(p_provider, true);
		END IF;
	ELSIF v_asked < now() - interval '1 minute' THEN
		-- never waits for the sender counting it again
		UPDATE stats_provider_now s SET asked_at = now()
		    WHERE s.provider_id = (SELECT n.provider_id
			FROM stats_provider_now n
			WHERE n.provider_id = p_provider
			FOR UPDATE SKIP LOCKED);
	END IF;
	as_of := ll_ts(v_at);
END
$$;

-- For the sender process: counts again, oldest first, at most p_max of
-- the providers' figures in stats_provider_now older than p_older
-- seconds that a dashboard asked for within the last day; forgets those
-- not asked for in a week. Returns how many it counted.
CREATE OR REPLACE FUNCTION ll_stats_refresh(p_older integer,
    p_max integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_provider	bigint;
	v_n		integer := 0;
BEGIN
	DELETE FROM stats_provider_now s
	    WHERE s.asked_at < now() - interval '7 days';
	FOR v_provider IN SELECT s.provider_id FROM stats_provider_now s
	    WHERE s.as_of < now() - make_interval(secs => p_older)
		AND s.asked_at >= now() - interval '1 day'
	    ORDER BY s.as_of
	    LIMIT p_max
	LOOP
		-- a dashboard counting it now does it
		IF pg_try_advisory_xact_lock(7402,
		    (v_provider % 2147483647)::integer) THEN
			PERFORM ll_stats_recount(v_provider, false);
			v_n := v_n + 1;
		END IF;
	END LOOP;
	RETURN v_n;
END
$$;

-- The devices holding a slot on the provider's links (or the one
-- named), by the OS and by the app version they last reported
-- (kind 'os' or 'app_version'; name '' when they sent none), most
-- first. No row: no such link, or no device. For the whole account, as
-- counted at ll_stats_now()'s as_of when it has been counted; one link's
-- are counted live.
CREATE OR REPLACE FUNCTION ll_stats_devices(p_provider bigint, p_code text,
    p_link bigint,
    OUT kind text, OUT name text, OUT devices bigint)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	WITH k AS (
		SELECT link_id FROM ll_stats_scope(p_provider, p_code, p_link)
	), s AS (
		SELECT s.shares FROM stats_provider_now s, k
		WHERE s.provider_id = p_provider AND k.link_id IS NULL
	)
	SELECT e->>0, e->>1, (e->>2)::bigint
	FROM s, jsonb_array_elements(s.shares) e
	UNION ALL
	SELECT c.* FROM k, ll_stats_count_shares(p_provider, k.link_id) c
	WHERE NOT EXISTS (SELECT 1 FROM s)
$$;

-- How full the provider's links are (or the one named): the links in
-- each tenth of their limit (bucket 0: below 10% ... 9: 90% or more but
-- not full) and the full ones (bucket 10), eleven rows, zeros included.
-- Near full is buckets 8 and 9: at least 80% of the limit. No row: no
-- such link. For the whole account, as counted at ll_stats_now()'s as_of
-- when it has been counted; one link's live.
CREATE OR REPLACE FUNCTION ll_stats_fill(p_provider bigint, p_code text,
    p_link bigint, OUT bucket integer, OUT links bigint)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	WITH k AS (
		SELECT link_id FROM ll_stats_scope(p_provider, p_code, p_link)
	), f AS (
		SELECT coalesce((SELECT s.fill FROM stats_provider_now s
		    WHERE s.provider_id = p_provider AND k.link_id IS NULL),
		    ll_stats_count_fill(p_provider, k.link_id)) AS fill
		FROM k
	)
	SELECT b, f.fill[b + 1]
	FROM f, generate_series(0, 10) b
	ORDER BY b
$$;

-- The links that need attention, at most p_limit: those with refusals
-- for the limit from p_from to p_to, most first, then the fullest of
-- those at 80% of their limit or more. Of the provider's account, or the
-- one link named (which then shows whatever its figures).
--
-- An account's refusals in the period are added up from the per-link
-- daily rows when the period is short (at most ATTENTION_SHORT days: few
-- rows). Over a longer one, that is a row per link and day checked (a
-- million for a provider of 100,000 links), so it first counts exactly
-- the period's refusals of the p_limit links with the most since their
-- first (stats_link_refused); the least of those is a floor that no link
-- with fewer since its first can reach in the period, and only the links
-- with at least that many since their first are counted, each by its own
-- rows. When more than ATTENTION_CANDIDATES links are that high (their
-- refusals mostly outside the period), it adds up the period's rows
-- after all.
CREATE OR REPLACE FUNCTION ll_stats_attention(p_provider bigint,
    p_code text, p_link bigint, p_from date, p_to date, p_limit integer,
    OUT id bigint, OUT install_code text, OUT install_limit integer,
    OUT install_count integer, OUT refused_limit bigint)
RETURNS SETOF record
LANGUAGE plpgsql STABLE
-- adding up a long period's rows by link stays in memory
SET work_mem = '16MB' AS $$
DECLARE
	-- see above
	ATTENTION_SHORT		constant integer := 92;
	ATTENTION_CANDIDATES	constant integer := 5000;
	v_link		bigint;
	v_floor		bigint;
	v_links		bigint[];
BEGIN
	SELECT k.link_id INTO v_link
	    FROM ll_stats_scope(p_provider, p_code, p_link) k;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	IF v_link IS NOT NULL THEN
		RETURN QUERY
		SELECT l.id, l.install_code::text, l.install_limit::integer,
		    l.install_count::integer,
		    coalesce((SELECT sum(s.refused_limit)
			FROM stats_link_daily s
			WHERE s.provider_id = p_provider AND s.link_id = l.id
			    AND s.day BETWEEN p_from AND p_to), 0)::bigint
		FROM links l
		WHERE l.id = v_link
		LIMIT p_limit;
		RETURN;
	END IF;

	IF p_to - p_from >= ATTENTION_SHORT THEN
		SELECT min(t.n) INTO v_floor FROM (
			SELECT coalesce((SELECT sum(s.refused_limit)
			    FROM stats_link_daily s
			    WHERE s.link_id = m.link_id
				AND s.provider_id = p_provider
				AND s.day BETWEEN p_from AND p_to), 0) AS n
			FROM stats_link_refused m
			WHERE m.provider_id = p_provider
			ORDER BY m.refused_limit DESC
			LIMIT p_limit) t
		HAVING count(*) = p_limit;
		-- fewer links than p_limit ever refused: each one counts
		SELECT array_agg(m.link_id) INTO v_links FROM (
			SELECT m.link_id FROM stats_link_refused m
			WHERE m.provider_id = p_provider
			    AND m.refused_limit >= greatest(v_floor, 1)
			ORDER BY m.refused_limit DESC
			LIMIT ATTENTION_CANDIDATES + 1) m;
		IF v_links IS NULL AND v_floor IS NULL THEN
			-- none ever refused
			v_links := '{}';
		ELSIF cardinality(v_links) > ATTENTION_CANDIDATES THEN
			v_links := NULL;
		END IF;
	END IF;

	RETURN QUERY
	WITH r AS (
		SELECT s.link_id, sum(s.refused_limit) AS n
		FROM stats_link_daily s
		WHERE v_links IS NULL
		    AND s.provider_id = p_provider AND s.refused_limit > 0
		    AND s.day BETWEEN p_from AND p_to
		GROUP BY s.link_id
		UNION ALL
		SELECT c.link_id, (SELECT sum(s.refused_limit)
		    FROM stats_link_daily s
		    WHERE s.link_id = c.link_id AND s.provider_id = p_provider
			AND s.day BETWEEN p_from AND p_to)
		FROM unnest(v_links) c(link_id)
		WHERE v_links IS NOT NULL
	), top AS (
		SELECT r.link_id, r.n FROM r WHERE r.n > 0
		ORDER BY r.n DESC
		FETCH FIRST p_limit ROWS WITH TIES
	)
	SELECT u.i, u.c, u.lim, u.cnt, u.n FROM (
		SELECT l.id, l.install_code::text, l.install_limit::integer,
		    l.install_count::integer, t.n::bigint
		FROM top t JOIN links l ON l.id = t.link_id
		UNION ALL
		-- room left: the fullest without refusals in the period
		SELECT l.id, l.install_code::text, l.install_limit::integer,
		    l.install_count::integer, 0::bigint
		FROM links l
		WHERE (SELECT count(*) FROM top) < p_limit
		    AND l.provider_id = p_provider
		    AND l.install_count * 10 >= l.install_limit * 8
		    AND NOT EXISTS (SELECT 1 FROM top t
			WHERE t.link_id = l.id)) u(i, c, lim, cnt, n)
	ORDER BY u.n DESC, u.cnt::numeric / u.lim DESC, u.i DESC
	LIMIT p_limit;
END
$$;

-- The latest refusals for the limit on the provider's link, newest
-- first, at most p_limit. No row: no such link; a link without
-- refusals gives one row with link_id alone. device_name as in
-- ll_device_list.
CREATE OR REPLACE FUNCTION ll_refused_list(p_provider bigint, p_code text,
    p_link bigint, p_limit integer,
    OUT link_id bigint, OUT hwid text, OUT date text,
    OUT device_name text)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	SELECT l.id, e.hwid, ll_ts(e.at),
	    CASE WHEN e.hwid IS NOT NULL THEN
		ll_device_name(e.model, e.device_os, e.os_version) END
	FROM links l LEFT JOIN LATERAL (
		SELECT * FROM check_events c
		WHERE c.link_id = l.id AND c.decision = 3
		ORDER BY c.at DESC
		LIMIT p_limit) e ON true
	WHERE ll_link_named(l, p_provider, p_code, p_link)
	ORDER BY e.at DESC
$$;

-- The operator's report (limited-links report): per provider, its links
-- (all, full, near full: at least 80%), the devices holding a slot, and
-- its checks from p_from to p_to by decision; then one row for the
-- checks of unknown links (provider_code '', refused_unknown alone).
CREATE OR REPLACE FUNCTION ll_report(p_from date, p_to date,
    OUT provider_code text, OUT name text, OUT status smallint,
    OUT links bigint, OUT links_full bigint, OUT links_near_full bigint,
    OUT devices bigint, OUT admitted_new bigint, OUT admitted_known bigint,
    OUT refused_limit bigint, OUT refused_disabled bigint,
    OUT refused_domain bigint, OUT refused_hwid bigint,
    OUT refused_unknown bigint)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
	WITH l AS (
		SELECT l.provider_id, count(*) AS links,
		    count(*) FILTER (WHERE l.install_count >= l.install_limit)
			AS full_,
		    count(*) FILTER (WHERE l.install_count < l.install_limit
			AND l.install_count * 10 >= l.install_limit * 8)
			AS near,
		    sum(l.install_count) AS devices
		FROM links l GROUP BY l.provider_id
	), s AS (
		SELECT s.provider_id, sum(s.admitted_new) AS a1,
		    sum(s.admitted_known) AS a2, sum(s.refused_limit) AS r3,
		    sum(s.refused_disabled) AS r4, sum(s.refused_domain) AS r5,
		    sum(s.refused_hwid) AS r6, sum(s.refused_unknown) AS r7
		FROM stats_provider_daily s
		WHERE s.day BETWEEN p_from AND p_to
		GROUP BY s.provider_id
	)
	SELECT * FROM (
		SELECT p.code, p.name, p.status, coalesce(l.links, 0),
		    coalesce(l.full_, 0), coalesce(l.near, 0),
		    coalesce(l.devices, 0)::bigint, coalesce(s.a1, 0)::bigint,
		    coalesce(s.a2, 0)::bigint, coalesce(s.r3, 0)::bigint,
		    coalesce(s.r4, 0)::bigint, coalesce(s.r5, 0)::bigint,
		    coalesce(s.r6, 0)::bigint, 0::bigint
		FROM providers p
		LEFT JOIN l ON l.provider_id = p.id
		LEFT JOIN s ON s.provider_id = p.id
		ORDER BY p.id) r
	UNION ALL
	SELECT '', '', 0::smallint, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    coalesce((SELECT s.r7 FROM s WHERE s.provider_id = 0), 0)::bigint
$$;

-- Upkeep, for limited-links maintain (daily, from a timer): makes the
-- partitions of check_events for this month and the next p_ahead, drops
-- those whose every event is older than p_keep_months months, and
-- forgets the flushes of workers silent for a week. One row per
-- partition made ('made') or dropped ('dropped'). A partition is
-- recognised by its name, check_events_YYYYMM; others are left alone.
CREATE OR REPLACE FUNCTION ll_maintain(p_keep_months integer,
    p_ahead integer, OUT action text, OUT name text)
RETURNS SETOF record
LANGUAGE plpgsql AS $$
DECLARE
	v_month	date;
	v_part	text;
	v_end	timestamptz;
BEGIN
	FOR v_month IN SELECT (date_trunc('month', now() AT TIME ZONE 'UTC')
	    + make_interval(months => m))::date
	    FROM generate_series(0, p_ahead) m
	LOOP
		IF ll_events_partition(v_month) THEN
			action := 'made';
			name := 'check_events_' || to_char(v_month, 'YYYYMM');
			RETURN NEXT;
		END IF;
	END LOOP;
	FOR v_part IN SELECT c.relname FROM pg_inherits i
	    JOIN pg_class c ON c.oid = i.inhrelid
	    WHERE i.inhparent = 'check_events'::regclass
		AND c.relname ~ '^check_events_[0-9]{6}$'
	    ORDER BY c.relname
	LOOP
		v_end := (to_date(right(v_part, 6), 'YYYYMM') +
		    interval '1 month')::timestamp AT TIME ZONE 'UTC';
		IF v_end <= now() - make_interval(months => p_keep_months) THEN
			EXECUTE format('DROP TABLE %I', v_part);
			action := 'dropped';
			name := v_part;
			RETURN NEXT;
		END IF;
	END LOOP;
	DELETE FROM stats_flushes f WHERE f.at < now() - interval '7 days';
END
$$;
