#include "tests/lib/testutil.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	SRunner *sr = srunner_create(test_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

const char *test_path(const char *relative)
{
	static char paths[8][2 * PATH_MAX + 2];
	static unsigned slot;
	char *p = paths[slot++ % 8];
	char cwd[PATH_MAX];

	if (!getcwd(cwd, sizeof(cwd)))
		return relative;
	snprintf(p, sizeof(paths[0]), "%s/%s", cwd, relative);
	return p;
}

static char tmp_root[PATH_MAX];
static pid_t tmp_owner; /* Check forks per test: only the creator cleans up */

static void remove_tmp_root(void)
{
	char cmd[PATH_MAX + 16];

	if (tmp_root[0] && getpid() == tmp_owner) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_root);
		if (system(cmd) != 0)
			fprintf(stderr, "warning: could not remove %s\n", tmp_root);
	}
}

const char *test_tmpdir(void)
{
	static char dirs[8][PATH_MAX + 16];
	static unsigned slot;
	char *d = dirs[slot++ % 8];

	if (!tmp_root[0]) {
		const char *base = getenv("TMPDIR");

		snprintf(tmp_root, sizeof(tmp_root), "%s/rig-test.XXXXXX", base ? base : "/tmp");
		if (!mkdtemp(tmp_root)) {
			perror("mkdtemp");
			abort();
		}
		tmp_owner = getpid();
		atexit(remove_tmp_root);
	}
	snprintf(d, sizeof(dirs[0]), "%s/d.XXXXXX", tmp_root);
	if (!mkdtemp(d)) {
		perror("mkdtemp");
		abort();
	}
	return d;
}

const char *test_write_file(const char *dir, const char *name, const char *text)
{
	static char paths[8][2 * PATH_MAX + 2];
	static unsigned slot;
	char *p = paths[slot++ % 8];
	FILE *f;

	snprintf(p, sizeof(paths[0]), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(p);
		abort();
	}
	return p;
}

char *test_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return text;
}

char *test_replace(char *text, const char *from, const char *to)
{
	char *at = strstr(text, from), *out;

	ck_assert_msg(at != NULL, "text has no \"%s\"", from);
	out = calloc(1, strlen(text) - strlen(from) + strlen(to) + 1);
	ck_assert_ptr_nonnull(out);
	memcpy(out, text, (size_t)(at - text));
	strcat(out, to);
	strcat(out, at + strlen(from));
	free(text);
	return out;
}
