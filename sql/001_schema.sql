-- The core tables: providers, their domains, their limited links and the
-- devices holding a slot on each link.

CREATE TABLE providers (
	id		bigserial PRIMARY KEY,
	code		text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9]{8}$'),
	name		text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
	-- HMAC-SHA256 of the auth key under the server's secret, hex; the key
	-- itself is never stored
	key_hash	text NOT NULL CHECK (key_hash ~ '^[a-f0-9]{64}$'),
	status		smallint NOT NULL DEFAULT 1 CHECK (status IN (0, 1)),
	-- links this provider may hold; NULL: the server's link_cap
	link_cap	integer CHECK (link_cap > 0),
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE domains (
	id		bigserial PRIMARY KEY,
	provider_id	bigint NOT NULL REFERENCES providers,
	domain_hash	text NOT NULL CHECK (domain_hash ~ '^[a-f0-9]{64}$'),
	domain_name	text NOT NULL CHECK (length(domain_name) <= 255),
	status		smallint NOT NULL DEFAULT 1 CHECK (status IN (0, 1)),
	created_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (provider_id, domain_hash)
);

CREATE TABLE links (
	id		bigserial PRIMARY KEY,
	provider_id	bigint NOT NULL REFERENCES providers,
	install_code	text NOT NULL UNIQUE
			CHECK (install_code ~ '^[A-Za-z0-9]{12}$'),
	install_limit	integer NOT NULL CHECK (install_limit BETWEEN 1 AND 100),
	-- devices holding a slot; kept equal to the rows in devices by every
	-- statement that adds or removes one
	install_count	integer NOT NULL DEFAULT 0,
	status		smallint NOT NULL DEFAULT 10 CHECK (status IN (5, 10)),
	note		text NOT NULL DEFAULT '' CHECK (length(note) <= 255),
	created_at	timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT links_count_within_limit
		CHECK (install_count >= 0 AND install_count <= install_limit)
);
CREATE INDEX links_provider_newest ON links (provider_id, id DESC);

CREATE TABLE devices (
	link_id		bigint NOT NULL REFERENCES links ON DELETE CASCADE,
	hwid		text NOT NULL CHECK (hwid ~ '^[A-Za-z0-9._:=-]{1,128}$'),
	device_os	text,
	os_version	text,
	model		text,
	app_version	text,
	user_agent	text,
	-- the domain hash the device was admitted through
	domain_hash	text,
	first_seen	timestamptz NOT NULL DEFAULT now(),
	last_seen	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (link_id, hwid)
);

-- Dates as the contract gives them: UTC, "YYYY-MM-DD HH:MM:SS". (Its
-- current definition is in sql/functions/common.sql.)
CREATE FUNCTION ll_ts(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
$$;
