# Shared by the operator scripts: where things are and who runs them.
# Sourced, never run. Honours LL_VAR (runtime folder), LL_PORT (HTTP port)
# and LL_USER (the unprivileged user that runs the stack when root).
#
# Run as root, the scripts keep what root runs, reads or writes out of the
# stack's user's reach (see README.md, "Who owns what"): root-owned files
# are replaced by a rename in a root-owned folder, anything in a folder of
# the user's is opened by the user, and a pid read from a file is checked
# and signalled as the user.

LL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LL_VAR=${LL_VAR:-$LL_ROOT/var}
case $LL_VAR in /*) ;; *) LL_VAR=$PWD/$LL_VAR ;; esac
LL_PORT=${LL_PORT:-8080}
LL_CONF=$LL_VAR/limited-links.conf
LL_RUN=$LL_VAR/run
LL_LOG=$LL_VAR/log
LL_PGDATA=$LL_VAR/pg
LL_DB=limitedlinks
# the cluster's superuser's password (root's, or the developer's, 0600)
# and the workers' role's (the stack's user's, 0600), as libpq passfiles
LL_ADMIN_PASS=$LL_VAR/admin.pgpass
LL_APP_PASS=$LL_VAR/app.pgpass
LL_APP_ROLE=ll_app
# the read-only role for BI tools, and its password (root's, 0600: the
# operator hands it to the tool)
LL_BI_PASS=$LL_VAR/bi.pgpass
LL_BI_ROLE=ll_bi

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

# psql against database DB of the stack as the cluster's superuser, with
# the password from $LL_ADMIN_PASS. psql is only a client: as root it runs
# as root, so that the password file stays root's.
ll_psql_to() {
	local db=$1
	shift
	PGPASSFILE=$LL_ADMIN_PASS PGOPTIONS="-c client_min_messages=warning" \
		"$(ll_pgbin)/psql" -X -q -w -v ON_ERROR_STOP=1 -h "$LL_RUN" \
		-U "$LL_DB" -d "$db" "$@"
}
ll_psql() { ll_psql_to "$LL_DB" "$@"; }

# ll_pid FILE WHAT: prints the pid in FILE when it is a live process of
# the stack's user running this stack's WHAT (fcgi: the server on
# $LL_CONF; nginx: nginx on this stack's config); fails otherwise. The
# file is read as the user, since it lies in the user's folder.
ll_pid() {
	local file=$1 what=$2 pid uid exe args
	uid=$(id -u "$LL_USER" 2>/dev/null) || return 1
	pid=$(ll_as head -c 32 -- "$file" 2>/dev/null | tr -d ' \n') || return 1
	[[ $pid =~ ^[1-9][0-9]{0,9}$ ]] || return 1
	[ "$(stat -c %u "/proc/$pid" 2>/dev/null)" = "$uid" ] || return 1
	exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
	exe=${exe% (deleted)}
	args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
	case $what in
	fcgi)
		[ "$exe" = "$(readlink -f "$LL_VAR/bin/limited-links")" ] &&
			[[ " $args" == *" -c $LL_CONF serve "* ]] || return 1 ;;
	nginx)
		[ "$exe" = "$(readlink -f "$(command -v nginx)")" ] &&
			[[ "$args" == *" -c $LL_VAR/nginx/nginx.conf "* ]] || return 1 ;;
	*)
		return 1 ;;
	esac
	echo "$pid"
}

# ll_signal FILE WHAT SIGNAL: sends SIGNAL, as the stack's user, to the
# process ll_pid vouches for; prints its pid. Fails, signalling nothing,
# when there is none (and says so when FILE names another process).
ll_signal() {
	local pid
	if ! pid=$(ll_pid "$1" "$2"); then
		if ll_as test -s "$1" 2>/dev/null; then
			echo "limited-links: ignoring $1: it does not name this stack's $2" >&2
		fi
		return 1
	fi
	ll_as kill -s "$3" "$pid" || return 1
	echo "$pid"
}

# ll_server ARGS...: runs the server's binary on the stack's
# configuration, as the stack's user, never as root, and only from where
# that user can change nothing: were it the user's to replace, a hole in
# anything running as that user would become root's.
ll_server() {
	local bin=$LL_VAR/bin/limited-links p
	[ -f "$LL_CONF" ] || ll_die "no stack in $LL_VAR: run 'make run' first"
	if [ "$(id -u)" = 0 ]; then
		for p in "$LL_VAR/" "$LL_VAR/bin" "$bin"; do
			if [ -L "$p" ] || [ "$(stat -c %u -- "$p")" != 0 ] ||
				[ -n "$(find "$p" -maxdepth 0 -perm /go=w)" ]; then
				ll_die "$p is not root's alone: run 'make run' to set the stack's folder right"
			fi
		done
	fi
	ll_as "$bin" -c "$LL_CONF" "$@"
}

# Waits up to $2 tenths of a second for process $1 to end.
ll_wait_gone() {
	local _
	for _ in $(seq "$2"); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}
