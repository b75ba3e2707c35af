#include "rig/verbs/verbs.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "reports/approval.h"
#include "reports/keys.h"
#include "reports/verify.h"
#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/run/recover.h"

enum { OPT_OUT = 256, OPT_KEY, OPT_MEANING, OPT_OPERATOR };

static const struct option longopts[] = {
	{ "out", required_argument, NULL, OPT_OUT },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "meaning", required_argument, NULL, OPT_MEANING },
	{ "operator", required_argument, NULL, OPT_OPERATOR },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct args {
	const char *out, *key, *meaning, *operator_name, *dir;
};

/* Parse the options allowed (a string of OPT_ codes) and at most one operand. */
static int parse(int argc, char **argv, const int *allowed, const char *usage, struct args *a)
{
	int c;

	memset(a, 0, sizeof(*a));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		int ok = 0;

		for (const int *p = allowed; *p; p++)
			ok |= *p == c;
		if (c == 'h') {
			printf("%s", usage);
			return 0;
		}
		if (!ok) {
			fprintf(stderr, "rig: %s: %s %s\n%s", argv[0],
				c == ':' ? "missing value for" : "unknown option",
				argv[optind - 1], usage);
			return 2;
		}
		if (c == OPT_OUT) a->out = optarg;
		if (c == OPT_KEY) a->key = optarg;
		if (c == OPT_MEANING) a->meaning = optarg;
		if (c == OPT_OPERATOR) a->operator_name = optarg;
	}
	if (optind < argc)
		a->dir = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "rig: %s: unexpected argument \"%s\"\n%s", argv[0], argv[optind],
			usage);
		return 2;
	}
	return -1;
}

static int fail(void)
{
	fprintf(stderr, "rig: %s\n", rig_last_error());
	return 2;
}

int keygen_command(int argc, char **argv)
{
	static const char usage[] = "usage: rig keygen --out KEYFILE\n"
				    "  writes KEYFILE (secret, mode 0600) and its public key: NAME.pub\n"
				    "  for NAME.sec (signify's naming), else KEYFILE.pub\n";
	static const int allowed[] = { OPT_OUT, 0 };
	struct station_key k;
	char id[2 * KEY_NUM_BYTES + 1], pub[4200];
	struct args a;
	int rc = parse(argc, argv, allowed, usage, &a);

	if (rc >= 0)
		return rc;
	if (!a.out || a.dir) {
		fprintf(stderr, "rig: keygen needs --out KEYFILE and nothing else\n%s", usage);
		return 2;
	}
	if (file_mkdirs_parent(a.out, 0700) != 0 || key_generate(a.out, &k) != 0)
		return fail();
	key_id(&k, id);
	key_public_path(a.out, pub, sizeof(pub));
	printf("rig: key %s written to %s (secret) and %s (public)\n", id, a.out, pub);
	return 0;
}

int verify_command(int argc, char **argv)
{
	static const char usage[] =
		"usage: rig verify DIR [--key STATION.pub]\n"
		"  exit 0 intact, 1 tampered (first tampered item named), 2 cannot check\n";
	static const int allowed[] = { OPT_KEY, 0 };
	struct args a;
	int rc = parse(argc, argv, allowed, usage, &a);

	if (rc >= 0)
		return rc;
	if (!a.dir) {
		fprintf(stderr, "rig: verify needs a run directory\n%s", usage);
		return 2;
	}
	rc = verify_run(a.dir, a.key, stdout);
	if (rc < 0)
		return fail();
	if (rc > 0) {
		fprintf(stderr, "rig: %s (%d problem%s)\n", rig_last_error(), rc, rc > 1 ? "s" : "");
		return 1;
	}
	printf("INTACT %s\n", a.dir);
	return 0;
}

int sign_command(int argc, char **argv)
{
	static const char usage[] =
		"usage: rig sign DIR --meaning reviewed|approved|rejected --operator NAME [--key KEYFILE]\n"
		"  adds your electronic signature to a verified run (default key: the station's)\n";
	static const int allowed[] = { OPT_KEY, OPT_MEANING, OPT_OPERATOR, 0 };
	struct station_key k;
	const char *choices;
	struct args a;
	int rc = parse(argc, argv, allowed, usage, &a);

	if (rc >= 0)
		return rc;
	if (!a.dir || !a.meaning || !a.operator_name || !a.operator_name[0] ||
	    strlen(a.operator_name) > 63 || strpbrk(a.operator_name, "\n\r")) {
		fprintf(stderr, "rig: sign needs DIR, --meaning and --operator (1 to 63 "
			"characters)\n%s", usage);
		return 2;
	}
	if ((choices = approval_check_meaning(a.meaning)) != NULL) {
		fprintf(stderr, "rig: --meaning \"%s\": use %s\n", a.meaning, choices);
		return 2;
	}
	/* A signature vouches for the record: only an intact one can be signed. */
	rc = verify_run(a.dir, NULL, stdout);
	if (rc != 0) {
		if (rc < 0)
			return fail();
		fprintf(stderr, "rig: not signing: %s\n", rig_last_error());
		return 1;
	}
	if ((a.key ? key_load_secret(a.key, &k) : key_station(&k, stderr)) != 0)
		return fail();
	if (approval_sign(a.dir, &k, a.operator_name, a.meaning) != 0)
		return fail();
	printf("rig: %s signed %s as %s\n", a.dir, a.meaning, a.operator_name);
	return 0;
}
