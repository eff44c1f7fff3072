# Shared by the operator scripts: where things are and who runs them.
# Sourced, never run. Honours LL_VAR (runtime folder), LL_PORT (HTTP port)
# and LL_USER (the unprivileged user that runs the stack when root).

LL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LL_VAR=${LL_VAR:-$LL_ROOT/var}
case $LL_VAR in /*) ;; *) LL_VAR=$PWD/$LL_VAR ;; esac
LL_PORT=${LL_PORT:-8080}
LL_CONF=$LL_VAR/limited-links.conf
LL_RUN=$LL_VAR/run
LL_LOG=$LL_VAR/log
LL_PGDATA=$LL_VAR/pg
LL_DB=limitedlinks

if [ "$(id -u)" = 0 ]; then
	LL_USER=${LL_USER:-limitedlinks}
else
	LL_USER=$(id -un)
fi

ll_die() { echo "limited-links: $*" >&2; exit 1; }
ll_say() { echo "==> $*"; }

# Runs a command as the stack's user.
ll_as() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$LL_USER" -- "$@"
	else
		"$@"
	fi
}

# The newest installed PostgreSQL's programs.
ll_pgbin() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -n "$d" ] || ll_die "PostgreSQL is not installed (run scripts/deps)"
	echo "$d"
}

# psql against the stack's database, as the stack's user.
ll_psql() {
	PGOPTIONS="-c client_min_messages=warning" ll_as "$(ll_pgbin)/psql" -X -q -v ON_ERROR_STOP=1 -h "$LL_RUN" \
		-U "$LL_DB" -d "$LL_DB" "$@"
}

ll_pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
