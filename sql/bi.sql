-- The views for BI tools (Grafana, Metabase, Superset...): the schema bi,
-- which the role ll_bi may read and nothing else (sql/roles.sql). Each
-- view is documented column by column in README.md ("Analytics"). Made
-- anew by scripts/migrate on every run, as ll_owner, after the function
-- files and before sql/privileges.sql, in their transaction: the views
-- read the tables with their owner's rights, so ll_bi needs none on the
-- tables, and they call no function of ours (a view's functions run with
-- its reader's rights). Nothing in them shows a key's hash, a session or
-- a domain's label beyond what the provider chose.

DROP SCHEMA IF EXISTS bi CASCADE;
CREATE SCHEMA bi;
COMMENT ON SCHEMA bi IS 'limited-links: read-only views for BI tools';

-- Checks per provider and UTC day, by decision. The checks of unknown
-- links have no provider: their rows have provider_code NULL.
CREATE VIEW bi.daily_decisions_provider AS
SELECT s.day, p.code AS provider_code, p.name AS provider_name,
    sum(s.admitted_new)::bigint AS admitted_new,
    sum(s.admitted_known)::bigint AS admitted_known,
    sum(s.refused_limit)::bigint AS refused_limit,
    sum(s.refused_disabled)::bigint AS refused_disabled,
    sum(s.refused_domain)::bigint AS refused_domain,
    sum(s.refused_hwid)::bigint AS refused_hwid,
    sum(s.refused_unknown)::bigint AS refused_unknown,
    sum(s.admitted_new + s.admitted_known + s.refused_limit +
	s.refused_disabled + s.refused_domain + s.refused_hwid +
	s.refused_unknown)::bigint AS checks
FROM public.stats_provider_daily s
LEFT JOIN public.providers p ON p.id = s.provider_id
GROUP BY s.day, s.provider_id, p.code, p.name;

-- The same by the OS and app version the app reported ('' for none).
CREATE VIEW bi.daily_decisions_client AS
SELECT s.day, p.code AS provider_code, s.os, s.app_version,
    s.admitted_new, s.admitted_known, s.refused_limit, s.refused_disabled,
    s.refused_domain, s.refused_hwid, s.refused_unknown,
    s.admitted_new + s.admitted_known + s.refused_limit +
	s.refused_disabled + s.refused_domain + s.refused_hwid +
	s.refused_unknown AS checks
FROM public.stats_provider_daily s
LEFT JOIN public.providers p ON p.id = s.provider_id;

-- Checks per link and UTC day, by decision (a row for each day the link
-- was checked).
CREATE VIEW bi.daily_decisions_link AS
SELECT s.day, p.code AS provider_code, s.link_id, l.install_code,
    s.admitted_new, s.admitted_known, s.refused_limit, s.refused_disabled,
    s.refused_domain, s.refused_hwid,
    s.admitted_new + s.admitted_known + s.refused_limit +
	s.refused_disabled + s.refused_domain + s.refused_hwid AS checks
FROM public.stats_link_daily s
JOIN public.links l ON l.id = s.link_id
JOIN public.providers p ON p.id = s.provider_id;

-- How full each provider's links are now: the links in each tenth of
-- their limit, and the full ones; every bucket of every provider, zeros
-- included.
CREATE VIEW bi.fill_rate AS
SELECT p.code AS provider_code, b.bucket,
    CASE WHEN b.bucket = 10 THEN 'full'
	ELSE (b.bucket * 10) || '-' || (b.bucket * 10 + 9) || '%' END
	AS fill,
    count(l.id)::bigint AS links
FROM public.providers p
CROSS JOIN generate_series(0, 10) AS b(bucket)
LEFT JOIN public.links l ON l.provider_id = p.id
    AND CASE WHEN l.install_count >= l.install_limit THEN 10
	ELSE l.install_count * 10 / l.install_limit END = b.bucket
GROUP BY p.id, p.code, b.bucket;

-- The devices holding a slot now, by the OS they last reported.
CREATE VIEW bi.devices_by_os AS
SELECT p.code AS provider_code, coalesce(v.device_os, '') AS os,
    count(*)::bigint AS devices
FROM public.devices v
JOIN public.links l ON l.id = v.link_id
JOIN public.providers p ON p.id = l.provider_id
GROUP BY p.code, coalesce(v.device_os, '');

-- ... and by the app version they last reported.
CREATE VIEW bi.devices_by_app_version AS
SELECT p.code AS provider_code, coalesce(v.app_version, '') AS app_version,
    count(*)::bigint AS devices
FROM public.devices v
JOIN public.links l ON l.id = v.link_id
JOIN public.providers p ON p.id = l.provider_id
GROUP BY p.code, coalesce(v.app_version, '');

-- The links at or near their limit: at least 80% of it taken.
CREATE VIEW bi.links_near_limit AS
SELECT p.code AS provider_code, l.id AS link_id, l.install_code, l.note,
    l.status, l.install_limit, l.install_count,
    round(100.0 * l.install_count / l.install_limit, 1) AS fill_percent,
    l.install_count >= l.install_limit AS is_full
FROM public.links l
JOIN public.providers p ON p.id = l.provider_id
WHERE l.install_count * 10 >= l.install_limit * 8;

-- The links devices were refused on for the limit, with their refusals
-- over the last 30 days (today included) and ever, ranked within their
-- provider (1: the most in 30 days, then ever).
CREATE VIEW bi.links_most_refused AS
SELECT p.code AS provider_code, l.id AS link_id, l.install_code,
    l.install_limit, l.install_count, r.last_30_days AS refused_last_30_days,
    r.total AS refused_total, r.last_day AS last_refused_day,
    rank() OVER (PARTITION BY l.provider_id
	ORDER BY r.last_30_days DESC, r.total DESC) AS rank
FROM (
	SELECT s.link_id,
	    sum(s.refused_limit) FILTER (WHERE s.day >
		(now() AT TIME ZONE 'UTC')::date - 30)::bigint AS last_30_days,
	    sum(s.refused_limit)::bigint AS total,
	    max(s.day) AS last_day
	FROM public.stats_link_daily s
	WHERE s.refused_limit > 0
	GROUP BY s.link_id
) r
JOIN public.links l ON l.id = r.link_id
JOIN public.providers p ON p.id = l.provider_id;

-- For the links full now: how long they took from creation to full,
-- that is to the admission of the newest device holding a slot.
CREATE VIEW bi.time_to_full AS
SELECT p.code AS provider_code, l.id AS link_id, l.install_code,
    l.install_limit, l.created_at, f.full_at,
    f.full_at - l.created_at AS time_to_full,
    round(extract(epoch FROM f.full_at - l.created_at) / 3600, 2)
	AS hours_to_full
FROM public.links l
JOIN public.providers p ON p.id = l.provider_id
JOIN LATERAL (SELECT max(v.first_seen) AS full_at FROM public.devices v
    WHERE v.link_id = l.id) f ON true
WHERE l.install_count >= l.install_limit;

-- Admissions of new devices and refusals for the limit, one by one, for
-- as long as retention_months keeps them.
CREATE VIEW bi.device_events AS
SELECT e.at, p.code AS provider_code, e.link_id, l.install_code,
    d.name AS decision, e.hwid, e.device_os, e.os_version, e.model,
    e.app_version
FROM public.check_events e
JOIN public.decisions d ON d.code = e.decision
JOIN public.providers p ON p.id = e.provider_id
LEFT JOIN public.links l ON l.id = e.link_id;

-- Who changed what, when, from where: every management action.
CREATE VIEW bi.audit_trail AS
SELECT a.id, a.at, p.code AS provider_code, a.actor, a.session_id,
    a.address, a.action, a.link_id, a.target, a.before, a.after
FROM public.audit_log a
JOIN public.providers p ON p.id = a.provider_id;

GRANT USAGE ON SCHEMA bi TO ll_bi;
GRANT SELECT ON ALL TABLES IN SCHEMA bi TO ll_bi;
