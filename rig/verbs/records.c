#include "rig/verbs/verbs.h"

#include <stdio.h>
#include <string.h>

#include "reports/approval.h"
#include "reports/keys.h"
#include "reports/trust.h"
#include "reports/verify.h"
#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/base/paths.h"
#include "rig/run/rederive.h"
#include "rig/run/recover.h"
#include "rig/store/store.h"
#include "rig/verbs/cli.h"

struct args {
	const char *out, *key, *meaning, *operator_name, *person, *dir;
	int deep;
};

/* The options each of these verbs takes, into a. */
#define OPT_OUT(a) { .name = "out", .arg = CLI_TEXT, .out = &(a)->out }
#define OPT_KEY(a) { .name = "key", .arg = CLI_TEXT, .out = &(a)->key }
#define OPT_MEANING(a) { .name = "meaning", .arg = CLI_TEXT, .out = &(a)->meaning }
#define OPT_OPERATOR(a) { .name = "operator", .arg = CLI_TEXT, .out = &(a)->operator_name }
#define OPT_PERSON(a) { .name = "person", .arg = CLI_TEXT, .out = &(a)->person }
#define OPT_DEEP(a) { .name = "deep", .arg = CLI_FLAG, .out = &(a)->deep }

/* Parse the verb's options and at most one operand into a (cleared by the
 * caller, which the options point into): -1 to go on, else the exit
 * status (0 after --help, 2 on a bad command line, with the usage). */
static int parse(int argc, char **argv, const struct cli_option *options, const char *usage,
		 struct args *a)
{
	const struct cli_verb verb = { .verb = argv[0], .options = options };
	int first, rc = cli_options(&verb, argc, argv, &first);

	if (rc == CLI_HELP) {
		printf("%s", usage);
		return 0;
	}
	if (rc) {
		fprintf(stderr, "rig: %s: %s\n%s", argv[0], rig_last_error(), usage);
		return 2;
	}
	if (first < argc)
		a->dir = argv[first++];
	if (first < argc) {
		fprintf(stderr, "rig: %s: unexpected argument \"%s\"\n%s", argv[0], argv[first],
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

/* A printed name: what trust entries and signature records can hold. */
static int valid_name(const char *name)
{
	return name && name[0] && strlen(name) < TRUST_NAME_MAX && !strpbrk(name, "\t\r\n");
}

int keygen_command(int argc, char **argv)
{
	static const char usage[] = "usage: rig keygen --out KEYFILE [--person NAME]\n"
				    "  writes KEYFILE (secret, mode 0600) and its public key: NAME.pub\n"
				    "  for NAME.sec (signify's naming), else KEYFILE.pub; --person makes\n"
				    "  a personal key for rig sign (register it: rig trust add)\n";
	struct args a = { 0 };
	const struct cli_option options[] = { OPT_OUT(&a), OPT_PERSON(&a), { .name = NULL } };
	struct station_key k;
	char id[2 * KEY_NUM_BYTES + 1], pub[4200];
	int rc = parse(argc, argv, options, usage, &a);

	if (rc >= 0)
		return rc;
	if (!a.out || a.dir) {
		fprintf(stderr, "rig: keygen needs --out KEYFILE and nothing else\n%s", usage);
		return 2;
	}
	if (a.person && !valid_name(a.person)) {
		fprintf(stderr, "rig: keygen: --person must be 1 to %d characters, no tab or "
			"newline\n", TRUST_NAME_MAX - 1);
		return 2;
	}
	if (file_mkdirs_parent(a.out, 0700) != 0 ||
	    (a.person ? key_generate_person(a.out, a.person, &k) : key_generate(a.out, &k)) != 0)
		return fail();
	key_id(&k, id);
	if (key_public_path(a.out, pub, sizeof(pub)) != 0) /* written: its name fitted */
		return fail();
	printf("rig: key %s written to %s (secret) and %s (public)\n", id, a.out, pub);
	return 0;
}

/* Every check of a run directory; what was found is in v, d and the chain. */
static int check_run(const char *dir, const char *pinned, int deep, const struct trust *t,
		     FILE *out, struct verify_result *v, struct rederived *d)
{
	struct approval_request rq = { 0 };
	long records = 0, kept = 0;
	char head[65], kept_head[65];
	struct store st;

	if (verify_run(dir, pinned, t, out, v) != 0)
		return -1;
	if (!v->manifest_sha256[0])
		return 0; /* no MANIFEST: an unfinished run, already said */
	rederive_run(dir, deep, out, v, d);
	rq.dir = dir;
	rq.run_id = d->run_id;
	rq.run_verdict = d->verdict;
	rq.manifest_sha256 = v->manifest_sha256;
	approval_verify(&rq, t, out, v, &records, head);
	/* The store's copy of the chain head: what a directory alone cannot show. */
	if (!d->store_path[0] || store_open_existing(&st, d->store_path) != 0) {
		if (records)
			fprintf(out, "note     no results store has this run: a removed last "
				"signature or an older copy would not show\n");
		rig_error_clear();
		return 0;
	}
	if (store_get_signature_head(&st, d->run_id, &kept, kept_head) != 0)
		verify_problem(v, out, 0, "%s", rig_last_error());
	else if (kept != records || strcmp(kept_head, head))
		verify_problem(v, out, 0, "signatures: %ld record%s, but the results store %s keeps "
			       "a chain of %ld (a record was removed or an older copy restored)",
			       records, records == 1 ? "" : "s", d->store_path, kept);
	else if (records)
		fprintf(out, "ok       signature chain head matches the results store\n");
	store_close(&st);
	return 0;
}

static int load_trust(struct trust *t)
{
	if (trust_load(t) != 0) {
		fprintf(stderr, "rig: %s\n", rig_last_error());
		return -1;
	}
	return 0;
}

int verify_command(int argc, char **argv)
{
	static const char usage[] =
		"usage: rig verify DIR [--key STATION.pub] [--deep]\n"
		"  exit 0 intact and signed by trusted keys, 1 tampered or not authenticated\n"
		"  (first problem named), 2 cannot check\n";
	struct args a = { 0 };
	const struct cli_option options[] = { OPT_KEY(&a), OPT_DEEP(&a), { .name = NULL } };
	struct verify_result v;
	struct rederived d;
	struct trust t;
	int rc = parse(argc, argv, options, usage, &a), bad;

	if (rc >= 0)
		return rc;
	if (!a.dir) {
		fprintf(stderr, "rig: verify needs a run directory\n%s", usage);
		return 2;
	}
	if (load_trust(&t) != 0)
		return 2;
	rc = check_run(a.dir, a.key, a.deep, &t, stdout, &v, &d);
	trust_release(&t);
	if (rc < 0)
		return fail();
	bad = v.tampered + v.untrusted;
	if (bad) {
		fprintf(stderr, "rig: %s: %s (%d problem%s)\n", a.dir, v.first, bad,
			bad > 1 ? "s" : "");
		return 1;
	}
	printf("INTACT %s\n", a.dir);
	return 0;
}

/* Why k may not sign as name with meaning, or 0. */
static int signer_allowed(const struct station_key *k, const char *dir, const char *name,
			  const char *meaning, const struct trust *t)
{
	const struct trust_entry *e = NULL, *mine = NULL;
	struct station_key station;
	char id[2 * KEY_NUM_BYTES + 1], path[4400];

	key_id(k, id);
	if (path_join(path, sizeof(path), dir, "station.pub") != 0)
		return RIG_ERR_INVALID;
	while ((e = trust_next_for_key(t, k->pk, e)))
		if (!strcmp(e->role, "station"))
			break;
	if (e || (key_load_public(path, &station) == 0 && key_same(&station, k)))
		return rig_error(RIG_ERR_INVALID, "%s: key %s is a station key: a person signs "
				 "with a personal key (rig keygen --person)", k->path, id);
	while ((e = trust_next_for_key(t, k->pk, e)))
		if (!strcmp(e->name, name)) {
			mine = e;
			if (trust_role_allows(e->role, meaning))
				return 0;
		}
	if (!mine)
		return rig_error(RIG_ERR_INVALID, "%s: key %s is not bound to \"%s\" in the trust "
				 "store (rig trust add KEY.pub --name \"%s\" --role ROLE)", k->path,
				 id, name, name);
	return rig_error(RIG_ERR_INVALID, "%s is trusted as %s, which does not sign \"%s\"",
			 name, mine->role, meaning);
}

int sign_command(int argc, char **argv)
{
	static const char usage[] =
		"usage: rig sign DIR --meaning authored|reviewed|approved|rejected --operator NAME\n"
		"                --key PERSONAL.sec\n"
		"  adds your electronic signature to a verified run; the key must be yours\n"
		"  (rig keygen --person), bound to NAME in the trust store\n";
	struct args a = { 0 };
	const struct cli_option options[] = { OPT_KEY(&a), OPT_MEANING(&a), OPT_OPERATOR(&a),
					       { .name = NULL } };
	struct approval_request rq = { 0 };
	struct verify_result v;
	struct rederived d;
	struct station_key k;
	struct trust t;
	struct store st;
	const char *choices;
	char head[65];
	long records;
	FILE *quiet;
	int rc = parse(argc, argv, options, usage, &a);

	if (rc >= 0)
		return rc;
	if (!a.dir || !a.meaning || !valid_name(a.operator_name) || !a.key) {
		fprintf(stderr, "rig: sign needs DIR, --meaning, --operator (1 to %d characters) "
			"and --key\n%s", TRUST_NAME_MAX - 1, usage);
		return 2;
	}
	if ((choices = approval_check_meaning(a.meaning)) != NULL) {
		fprintf(stderr, "rig: --meaning \"%s\": use %s\n", a.meaning, choices);
		return 2;
	}
	if (approval_check_dir(a.dir) != 0)
		return fail();
	if (key_load_secret(a.key, &k) != 0 || load_trust(&t) != 0)
		return rig_last_error()[0] ? fail() : 2;
	if (signer_allowed(&k, a.dir, a.operator_name, a.meaning, &t) != 0) {
		trust_release(&t);
		fprintf(stderr, "rig: not signing: %s\n", rig_last_error());
		return 1;
	}
	/* A signature vouches for the record: only an authentic, intact one is signed. */
	quiet = fopen("/dev/null", "w");
	rc = check_run(a.dir, NULL, 0, &t, quiet ? quiet : stdout, &v, &d);
	if (quiet)
		fclose(quiet);
	trust_release(&t);
	if (rc < 0)
		return fail();
	if (v.tampered + v.untrusted) {
		fprintf(stderr, "rig: not signing: %s: %s\n", a.dir, v.first);
		return 1;
	}
	rq.dir = a.dir;
	rq.run_id = d.run_id;
	rq.run_verdict = d.verdict;
	rq.manifest_sha256 = v.manifest_sha256;
	rq.name = a.operator_name;
	rq.meaning = a.meaning;
	if (approval_sign(&rq, &k, &records, head) != 0) {
		fprintf(stderr, "rig: not signing: %s\n", rig_last_error());
		return 1;
	}
	if (d.store_path[0] && store_open_existing(&st, d.store_path) == 0) {
		if (store_set_signature_head(&st, d.run_id, records, head) != 0)
			fprintf(stderr, "rig: %s: signed, but the results store did not keep the "
				"chain head: %s\n", a.dir, rig_last_error());
		store_close(&st);
	} else
		fprintf(stderr, "rig: %s: signed; no results store has this run to keep the chain "
			"head\n", a.dir);
	printf("rig: %s signed %s as %s (signature %ld)\n", a.dir, a.meaning, a.operator_name,
	       records);
	return 0;
}
