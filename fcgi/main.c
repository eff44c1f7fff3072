#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "config.h"
#include "log.h"
#include "master.h"

static void
main_usage(void)
{
	fprintf(stderr,
	    "usage: limited-links [-c CONFIG] [serve]\n"
	    "       limited-links [-c CONFIG] check-config\n"
	    "       limited-links [-c CONFIG] provider add NAME | list |\n"
	    "           disable CODE | enable CODE | rotate-key CODE\n"
	    "CONFIG defaults to $LL_CONFIG, then var/limited-links.conf\n");
}

int
main(int argc, char **argv)
{
	static struct config cfg;
	const char *path, *cmd;
	char err[512];
	int ch;

	path = getenv("LL_CONFIG");
	if (path == NULL || *path == '\0')
		path = "var/limited-links.conf";
	while ((ch = getopt(argc, argv, "+c:h")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
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
	main_usage();
	return 2;
}
