/*
 * rig trust add|list|remove: the keys this reviewer accepts
 * (reports/trust.h).
 */
#include "rig/verbs/verbs.h"

#include <stdio.h>
#include <string.h>

#include "reports/trust.h"
#include "rig/base/error.h"
#include "rig/verbs/cli.h"

static const char usage[] =
	"usage: rig trust add PUBKEY --name NAME --role station|operator|reviewer|approver\n"
	"       rig trust list\n"
	"       rig trust remove KEY-ID|PUBKEY\n"
	"  the keys rig verify accepts, kept in $XDG_CONFIG_HOME/rig/trust (then "
	TRUST_SYSTEM_PATH ")\n";

static int fail(void)
{
	fprintf(stderr, "rig: %s\n", rig_last_error());
	return 2;
}

static int misuse(const char *what)
{
	fprintf(stderr, "rig: trust: %s\n%s", what, usage);
	return 2;
}

static int add(int argc, char **argv)
{
	const char *name = NULL, *role = NULL;
	const struct cli_option options[] = {
		{ .name = "name", .arg = CLI_TEXT, .out = &name },
		{ .name = "role", .arg = CLI_TEXT, .out = &role },
		{ .name = NULL },
	};
	const struct cli_verb verb = { .verb = "trust", .options = options };
	char id[2 * KEY_NUM_BYTES + 1];
	struct station_key k;
	int first, rc = cli_options(&verb, argc, argv, &first);

	if (rc == CLI_HELP) {
		printf("%s", usage);
		return 0;
	}
	if (rc)
		return misuse(rig_last_error());
	if (first != argc - 1 || !name || !role)
		return misuse("add needs PUBKEY, --name and --role");
	if (trust_add(argv[first], name, role) != 0 || key_load_public(argv[first], &k) != 0)
		return fail();
	key_id(&k, id);
	printf("rig: trusted %s key %s as %s\n", role, id, name);
	return 0;
}

static int list(void)
{
	struct trust t;

	if (trust_load(&t) != 0)
		return fail();
	for (size_t i = 0; i < t.n; i++)
		printf("%-9s %s  %-24s %s:%zu\n", t.e[i].role, t.e[i].id, t.e[i].name, t.e[i].source,
		       t.e[i].line);
	if (!t.n)
		printf("rig: no trusted keys (rig trust add PUBKEY --name NAME --role ROLE)\n");
	trust_release(&t);
	return 0;
}

int trust_command(int argc, char **argv)
{
	size_t removed;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("%s", usage);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "add"))
		return add(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return argc == 2 ? list() : misuse("list takes no arguments");
	if (!strcmp(argv[1], "remove")) {
		if (argc != 3)
			return misuse("remove needs one KEY-ID or PUBKEY");
		if (trust_remove(argv[2], &removed) != 0)
			return fail();
		printf("rig: removed %zu entr%s of key %s\n", removed, removed == 1 ? "y" : "ies",
		       argv[2]);
		return 0;
	}
	return misuse("use add, list or remove");
}
