/*
 * `rig user add NAME --role operator|qa|admin [--users FILE]`,
 * `rig user del NAME`, `rig user list`: the users of rig serve. The password
 * is read from the terminal (twice, not echoed) or, without one, from the
 * first line of stdin; never from the command line, where ps shows it.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "rig/base/error.h"
#include "rig/base/paths.h"
#include "rig/serve/users.h"
#include "rig/verbs/cli.h"
#include "rig/verbs/verbs.h"

static const char usage[] =
	"usage: rig user add NAME --role operator|qa|admin [--users FILE]\n"
	"       rig user del NAME [--users FILE]\n"
	"       rig user list [--users FILE]\n"
	"  the password is read from the terminal, or from stdin's first line\n"
	"  (default FILE: $XDG_CONFIG_HOME/rig/users)\n";

static int read_line(const char *prompt, char *buf, size_t len)
{
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO);
	char *ok;

	if (tty) {
		fputs(prompt, stderr);
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	ok = fgets(buf, (int)len, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (!ok)
		return rig_error(RIG_ERR_INVALID, "no password given (on the terminal or stdin)");
	if (!strchr(buf, '\n') && !feof(stdin))
		return rig_error(RIG_ERR_INVALID, "password longer than %zu characters", len - 2);
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

static int add(const char *path, const char *name, const char *role)
{
	char pw[256], again[256];
	int rc;

	if (!role)
		return rig_error(RIG_ERR_INVALID, "rig user add needs --role operator|qa|admin");
	if (role_parse(role) == ROLE_NONE)
		return rig_error(RIG_ERR_INVALID, "--role \"%s\": operator, qa or admin", role);
	if ((rc = read_line("password: ", pw, sizeof(pw))) != 0)
		return rc;
	if (isatty(STDIN_FILENO)) {
		if ((rc = read_line("again: ", again, sizeof(again))) != 0)
			return rc;
		if (strcmp(pw, again) != 0)
			return rig_error(RIG_ERR_INVALID, "the passwords differ");
	}
	rc = users_set(path, name, role_parse(role), pw);
	sodium_memzero(pw, sizeof(pw));
	sodium_memzero(again, sizeof(again));
	return rc;
}

int user_command(int argc, char **argv)
{
	const char *role = NULL, *users = NULL, *what;
	const struct cli_option options[] = {
		{ .name = "role", .arg = CLI_TEXT, .out = &role },
		{ .name = "users", .arg = CLI_TEXT, .out = &users },
		{ .name = NULL },
	};
	const struct cli_verb verb = { .verb = "user", .options = options };
	char path[4096];
	int first, rc = cli_options(&verb, argc, argv, &first);

	if (rc == CLI_HELP) {
		fputs(usage, stdout);
		return 0;
	}
	if (rc) {
		fprintf(stderr, "rig: user: %s\n%s", rig_last_error(), usage);
		return 2;
	}
	what = first < argc ? argv[first] : "";
	if (users ? path_format(path, sizeof(path), "%s", users) != 0
		  : users_default_path(path, sizeof(path)) != 0)
		goto fail;
	if (!strcmp(what, "list") && first + 1 == argc)
		rc = users_list(path);
	else if (!strcmp(what, "add") && first + 2 == argc)
		rc = add(path, argv[first + 1], role);
	else if (!strcmp(what, "del") && first + 2 == argc)
		rc = users_remove(path, argv[first + 1]);
	else {
		fputs(usage, stderr);
		return 2;
	}
	if (rc == 0)
		return 0;
fail:
	fprintf(stderr, "rig: %s\n", rig_last_error());
	return 2;
}
