#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "config.h"
#include "log.h"
#include "master.h"
#include "upgrade.h"

#define MAIN_USAGE \
	"usage: limited-links [-c CONFIG] [serve]\n" \
	"       limited-links [-c CONFIG] check-config\n" \
	"       limited-links [-c CONFIG] provider add NAME | list |\n" \
	"           disable CODE | enable CODE | rotate-key CODE\n" \
	"       limited-links [-c CONFIG] report [--csv] [--from DAY] [--to DAY]\n" \
	"       limited-links [-c CONFIG] maintain\n" \
	"       limited-links -h | --help\n"

/* Everything an operator can ask of the program and set in its file. The
 * man page is made from this text (make install), so this is the one
 * place to document a new command, signal or key. */
static const char main_help[] =
    MAIN_USAGE
    "\n"
    "The limited-links server: Happ's check endpoint (/install, /provider),\n"
    "the provider API (/api/), the web account (/account/) and the end\n"
    "users' self-service pages (/my/), as prefork FastCGI workers behind\n"
    "nginx, over PostgreSQL; and a sender process (ll-sender) that delivers\n"
    "webhooks and frees expired slots.\n"
    "\n"
    "Options:\n"
    "  -c, --config CONFIG  the configuration file; default $LL_CONFIG, then\n"
    "                       var/limited-links.conf\n"
    "  -h, --help           this text\n"
    "\n"
    "Commands:\n"
    "  serve                (the default) run the master and its workers in\n"
    "                       the foreground, logging to stderr; refuses to start\n"
    "                       on a bad configuration, naming its line\n"
    "  check-config         read the configuration and the secret as serve\n"
    "                       would; print \"CONFIG: ok (...)\" and exit 0, or the\n"
    "                       fault (\"CONFIG:LINE: ...\") and exit 1\n"
    "  provider add NAME    create a provider; prints its provider_code and\n"
    "                       auth_key as JSON (the key only this once)\n"
    "  provider list        one JSON line per provider\n"
    "  provider disable CODE, provider enable CODE\n"
    "                       a disabled provider's calls and links are refused\n"
    "  provider rotate-key CODE\n"
    "                       a new auth_key (printed once); the old one stops\n"
    "  report [--csv] [--from DAY] [--to DAY]\n"
    "                       what the checks decided, per provider and for\n"
    "                       unknown links, with each provider's links and\n"
    "                       devices: a table, or CSV; DAY is YYYY-MM-DD (UTC),\n"
    "                       by default the 30 days to today\n"
    "  maintain             the upkeep a daily timer runs: makes the months'\n"
    "                       partitions of the check events ahead, drops those\n"
    "                       older than retention_months\n"
    "\n"
    "Signals to the master (serve):\n"
    "  TERM, INT            stop accepting, let each worker finish its request,\n"
    "                       exit (workers still busy after stop_timeout: killed)\n"
    "  HUP                  re-read the configuration and replace the workers\n"
    "                       one by one; when another binary has been installed\n"
    "                       where the master was started from, upgrade (USR2)\n"
    "  USR2                 upgrade: check the configuration with the installed\n"
    "                       binary, then exec it in the same process, handing\n"
    "                       over the socket and the workers, which it replaces\n"
    "                       one by one; no request is refused meanwhile\n"
    "\n"
    "Configuration (\"key = value\" lines, # comments; a later line wins):\n"
    "  listen = PATH | tcp:HOST:PORT  default var/run/fcgi.sock\n"
    "                       the FastCGI socket (unix, mode 0660), or TCP for\n"
    "                       nginx on another host; changes only on restart\n"
    "  pid_file = PATH      where the master writes its pid; default none\n"
    "  workers = N          worker processes, 0 to 256; default 0: eight per core\n"
    "  backlog = N          the socket's listen queue, 1 to 65535; default 1024\n"
    "  database = CONNINFO  a libpq connection string; default\n"
    "                       dbname=limitedlinks (use passfile=, never password=)\n"
    "  secret_file = PATH   64 hex digits, the key auth keys are hashed under;\n"
    "                       default var/secret.key; losing it voids every key\n"
    "  crypt4_key = PATH    Happ's RSA-4096 public key for happ://crypt4/ links;\n"
    "                       default nginx/happ-crypt4-public.pem\n"
    "  link_cap = N         links one provider may hold; default 100000\n"
    "  session_ttl = S      seconds a web session lives, 60 to 7776000;\n"
    "                       default 28800\n"
    "  max_requests = N     a worker retires after N requests; default 0: never\n"
    "  log_level = N        0 debug, 1 info, 2 warn, 3 error; default 1\n"
    "  stop_timeout = S     seconds a stopping worker may take, 1 to 3600;\n"
    "                       default 10\n"
    "  public_url = URL     https://HOST of self-service pages' addresses;\n"
    "                       default: the host each API call was sent to\n"
    "  release_cooldown_hours = H\n"
    "                       hours between two self-service releases of a\n"
    "                       link, 0 to 8760 (0: releasing is off); default 24\n"
    "  sweep_interval = S   seconds between sweeps of expired slots, 1 to\n"
    "                       86400; default 300\n"
    "  webhook_timeout = S  seconds one delivery may take, 1 to 60; default 10\n"
    "  webhook_retry_min = S\n"
    "                       seconds before a failed delivery's first retry;\n"
    "                       default 30; the pause doubles with each try\n"
    "  webhook_retry_max = S\n"
    "                       the longest pause between tries; default 3600\n"
    "  webhook_give_up = S  seconds of retries before an event is marked\n"
    "                       failed; default 86400\n"
    "  webhook_allow_http = on|off\n"
    "                       also http:// webhook URLs (tests, private\n"
    "                       networks); default off\n"
    "  webhook_allow_private = on|off\n"
    "                       also loopback and private addresses; default off\n"
    "  stats = on | off     count what every check decides, and keep new\n"
    "                       admissions and refusals for the limit one by one;\n"
    "                       default on\n"
    "  stats_flush = S      seconds a worker keeps its counts before writing\n"
    "                       them, 1 to 3600 (what a crash may lose); default 5\n"
    "  stats_summary_age = S\n"
    "                       seconds the dashboard's devices by OS and app\n"
    "                       version and links by fill may be old, 0 to\n"
    "                       86400 (0: counted on every call); default 60\n"
    "  retention_months = N months of check events that maintain keeps,\n"
    "                       1 to 1200; default 13\n"
    "  metrics_allow = LIST addresses and CIDRs, comma or space separated,\n"
    "                       that may read GET /metrics (REMOTE_ADDR);\n"
    "                       default 127.0.0.0/8, ::1\n"
    "\n"
    "Environment:\n"
    "  LL_CONFIG            the configuration file when -c is not given\n";

static void
main_usage(void)
{
	fputs(MAIN_USAGE, stderr);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static struct config cfg;
	const char *path, *cmd;
	char err[512];
	int ch;

	upgrade_init(argv);
	path = getenv("LL_CONFIG");
	if (path == NULL || *path == '\0')
		path = "var/limited-links.conf";
	while ((ch = getopt_long(argc, argv, "+c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'h':
			fputs(main_help, stdout);
			return 0;
		default:
			main_usage();
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	cmd = argc > 0 ? argv[0] : "serve";
	config_defaults(&cfg);
	if (config_load(&cfg, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "limited-links: %s\n", err);
		return 1;
	}
	log_set_level((enum log_level)cfg.log_level);
	if (strcmp(cmd, "serve") == 0 && argc <= 1)
		return master_run(&cfg);
	if (strcmp(cmd, "check-config") == 0 && argc == 1) {
		printf("%s: ok (listen %s, %d workers)\n", path, cfg.listen,
		    cfg.workers);
		return 0;
	}
	if (strcmp(cmd, "provider") == 0)
		return admin_provider(&cfg, argc - 1, argv + 1);
	if (strcmp(cmd, "report") == 0)
		return admin_report(&cfg, argc - 1, argv + 1);
	if (strcmp(cmd, "maintain") == 0 && argc == 1)
		return admin_maintain(&cfg);
	main_usage();
	return 2;
}
