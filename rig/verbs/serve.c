/*
 * `rig serve [--listen ADDR:PORT] [--runs DIR] [--scripts DIR] ...`: the
 * operator station and results pages in the browser (rig/serve/,
 * docs/serve.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/base/paths.h"
#include "rig/serve/serve.h"
#include "rig/serve/users.h"
#include "rig/base/fixture.h"
#include "rig/station/fixture_load.h"
#include "rig/store/store.h"
#include "rig/verbs/cli.h"
#include "rig/verbs/verbs.h"

static const char usage[] =
	"usage: rig serve [--listen ADDR:PORT] [--runs DIR] [--scripts DIR] [--fixture F]\n"
	"                 [--db PATH] [--users FILE] [--sockets N]\n"
	"  --listen ADDR:PORT   where to listen (default 127.0.0.1:8080)\n"
	"  --runs DIR           run directories (default $XDG_DATA_HOME/rig/runs)\n"
	"  --scripts DIR        the procedures offered (default the installed scripts/)\n"
	"  --fixture F          the station's fixture (default rig run's)\n"
	"  --db PATH            results store (default $XDG_DATA_HOME/rig/results.db)\n"
	"  --users FILE         users (default $XDG_CONFIG_HOME/rig/users; rig user add)\n"
	"  --sockets N          test sockets of the station (default 1)\n";

/* An absolute path for a directory or file that exists. */
static int absolute(const char *what, const char *path, char *out, size_t len)
{
	char *real = realpath(path, NULL);

	int rc;

	if (!real)
		return rig_error_errno(RIG_ERR_INVALID, "%s %s", what, path);
	rc = path_format(out, len, "%s", real);
	free(real);
	return rc;
}

/* runs/ beside the default results store ($XDG_DATA_HOME/rig/). */
static int default_runs(char *out, size_t len)
{
	char *slash;

	if (store_default_path(out, len) != 0 || !(slash = strrchr(out, '/')) ||
	    (size_t)(slash - out) + 6 > len)
		return rig_error(RIG_ERR_INVALID, "no run folder: neither XDG_DATA_HOME nor HOME "
				 "is set (use --runs)");
	strcpy(slash, "/runs");
	return 0;
}

static int parse_listen(const char *text, struct serve_config *cfg)
{
	const char *colon = strrchr(text, ':');
	uint64_t port;

	if (!colon || colon == text || (size_t)(colon - text) >= sizeof(cfg->listen_addr))
		return rig_error(RIG_ERR_INVALID, "--listen %s: ADDR:PORT, e.g. 127.0.0.1:8080", text);
	if (cli_parse_u64("--listen port", colon + 1, 65535, &port) != 0)
		return RIG_ERR_INVALID;
	snprintf(cfg->listen_addr, sizeof(cfg->listen_addr), "%.*s", (int)(colon - text), text);
	cfg->port = (unsigned)port;
	return 0;
}

/* Sim unit files are offered only when the fixture uses the sim bench. */
static void find_units(struct serve_config *cfg)
{
	char fx_path[4096], units[4096];
	struct fixture fx;

	cfg->units_dir[0] = '\0';
	if (cfg->fixture[0])
		memcpy(fx_path, cfg->fixture, sizeof(fx_path)); /* the same size */
	else if (paths_find_data("fixtures/sim-bench.lua", fx_path, sizeof(fx_path)) != 0)
		return;
	if (fixture_load(&fx, fx_path) != 0)
		return;
	if ((!strcmp(fx.daq.driver, "sim") || !strcmp(fx.uut.driver, "sim")) &&
	    paths_find_data("fixtures/units", units, sizeof(units)) == 0)
		absolute("units", units, cfg->units_dir, sizeof(cfg->units_dir));
}

static int parse_listen_option(void *out, const char *opt, const char *value)
{
	(void)opt;
	return parse_listen(value, out);
}

static int parse_fixture_option(void *out, const char *opt, const char *value)
{
	return absolute(opt, value, out, sizeof(((struct serve_config *)0)->fixture));
}

static int parse_db_option(void *out, const char *opt, const char *value)
{
	(void)opt;
	return path_format(out, sizeof(((struct serve_config *)0)->db), "%s", value);
}

int serve_command(int argc, char **argv)
{
	static struct serve_config cfg;
	const char *runs = NULL, *scripts = NULL, *users = NULL;
	char path[4096];
	uint64_t sockets = 1;
	const struct cli_option options[] = {
		{ .name = "listen", .arg = CLI_CALL, .out = &cfg, .call = parse_listen_option },
		{ .name = "runs", .arg = CLI_TEXT, .out = &runs },
		{ .name = "scripts", .arg = CLI_TEXT, .out = &scripts },
		{ .name = "fixture", .arg = CLI_CALL, .out = cfg.fixture, .call = parse_fixture_option },
		{ .name = "db", .arg = CLI_CALL, .out = cfg.db, .call = parse_db_option },
		{ .name = "users", .arg = CLI_TEXT, .out = &users },
		{ .name = "sockets", .arg = CLI_U64, .out = &sockets, .max = 64 },
		{ .name = NULL },
	};
	const struct cli_verb verb = { .verb = "serve", .options = options, .nonempty = 1 };
	int i, rc;

	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.listen_addr, sizeof(cfg.listen_addr), "127.0.0.1");
	cfg.port = 8080;
	rc = cli_options(&verb, argc, argv, &i);
	if (rc == CLI_HELP) {
		fputs(usage, stdout);
		return 0;
	}
	if (rc == 0 && i < argc)
		rc = rig_error(RIG_ERR_INVALID, "serve: unexpected argument %s", argv[i]);
	if (rc == 0 && sockets < 1)
		rc = rig_error(RIG_ERR_INVALID, "--sockets needs 1 to 64");
	cfg.sockets = (int)sockets;
	if (rc == 0 && !runs && (rc = default_runs(path, sizeof(path))) == 0)
		runs = path;
	if (rc == 0 && (rc = file_mkdirs(runs, 0755)) == 0)
		rc = absolute("--runs", runs, cfg.runs_dir, sizeof(cfg.runs_dir));
	if (rc == 0)
		rc = path_join(cfg.meta_dir, sizeof(cfg.meta_dir), cfg.runs_dir, ".serve");
	if (rc == 0 && !scripts && paths_find_data("scripts", path, sizeof(path)) == 0)
		scripts = path;
	if (rc == 0 && !scripts)
		rc = rig_error(RIG_ERR_INVALID, "no scripts/ found (use --scripts DIR)");
	if (rc == 0)
		rc = absolute("--scripts", scripts, cfg.scripts_dir, sizeof(cfg.scripts_dir));
	if (rc == 0 && users)
		rc = path_format(cfg.users, sizeof(cfg.users), "%s", users);
	else if (rc == 0)
		rc = users_default_path(cfg.users, sizeof(cfg.users));
	if (rc == 0 && cfg.db[0] && cfg.db[0] != '/' && getcwd(path, sizeof(path))) {
		char rel[4096];

		memcpy(rel, cfg.db, sizeof(rel)); /* the same size */
		rc = path_join(cfg.db, sizeof(cfg.db), path, rel);
	}
	if (rc == 0 && absolute("rig", "/proc/self/exe", cfg.rig, sizeof(cfg.rig)) != 0)
		rc = RIG_ERR_IO;
	if (rc) {
		fprintf(stderr, "rig: %s\n", rig_last_error());
		return 2;
	}
	find_units(&cfg);
	return serve_run(&cfg);
}
