#include "rig/verbs/verbs.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "reports/approval.h"
#include "reports/keys.h"
#include "reports/trust.h"
#include "reports/verify.h"
#include "rig/base/error.h"
#include "rig/base/file.h"
#include "rig/run/rederive.h"
#include "rig/run/recover.h"
#include "rig/store/store.h"

enum { OPT_OUT = 256, OPT_KEY, OPT_MEANING, OPT_OPERATOR, OPT_PERSON, OPT_DEEP };

static const struct option longopts[] = {
	{ "out", required_argument, NULL, OPT_OUT },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "meaning", required_argument, NULL, OPT_MEANING },
	{ "operator", required_argument, NULL, OPT_OPERATOR },
	{ "person", required_argument, NULL, OPT_PERSON },
	{ "deep", no_argument, NULL, OPT_DEEP },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct args {
	const char *out, *key, *meaning, *operator_name, *person, *dir;
	int deep;
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
		if (c == OPT_PERSON) a->person = optarg;
		if (c == OPT_DEEP) a->deep = 1;
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
	static const int allowed[] = { OPT_OUT, OPT_PERSON, 0 };
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
	if (a.person && !valid_name(a.person)) {
		fprintf(stderr, "rig: keygen: --person must be 1 to %d characters, no tab or "
			"newline\n", TRUST_NAME_MAX - 1);
		return 2;
	}
	if (file_mkdirs_parent(a.out, 0700) != 0 ||
	    (a.person ? key_generate_person(a.out, a.person, &k) : key_generate(a.out, &k)) != 0)
		return fail();
	key_id(&k, id);
	key_public_path(a.out, pub, sizeof(pub));
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
	static const int allowed[] = { OPT_KEY, OPT_DEEP, 0 };
	struct verify_result v;
	struct rederived d;
	struct trust t;
	struct args a;
	int rc = parse(argc, argv, allowed, usage, &a), bad;

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
	snprintf(path, sizeof(path), "%s/station.pub", dir);
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
	static const int allowed[] = { OPT_KEY, OPT_MEANING, OPT_OPERATOR, 0 };
	struct approval_request rq = { 0 };
	struct verify_result v;
	struct rederived d;
	struct station_key k;
	struct trust t;
	struct store st;
	const char *choices;
	char head[65];
	long records;
	struct args a;
	FILE *quiet;
	int rc = parse(argc, argv, allowed, usage, &a);

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
