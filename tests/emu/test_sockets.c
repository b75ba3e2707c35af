/*
 * A station of several sockets with real drivers on emulated devices
 * (issue 19, docs/script-api.md "Several units at once"). Run under
 * umockdev-wrapper.
 *
 * The batch runs each socket as `rig run --socket S` re-executing its own
 * binary (/proc/self/exe): here that is this test program, which then acts
 * as rig for that socket (socket_child below) and, for the socket the test
 * names in RIG_TEST_EMU_*, first plugs in that socket's emulated device in
 * its own umockdev testbed. Each socket is a process, so each has its own
 * testbed and sim model, and the emulator answers from the model of the
 * run in its process, as in test_hybrid.c.
 */
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <comedi.h>

#include "drivers/backends.h"
#include "drivers/context.h"
#include "rig/base/error.h"
#include "rig/station/fixture_load.h"
#include "rig/verbs/verbs.h"
#include "tests/emu/comedi_board.h"
#include "tests/emu/usb_emu.h"
#include "tests/lib/testutil.h"

#define SEED 20260607
/* An argument vector of the verbs' (char **) from constant strings. */
#define A(s) ((char *)(s))

static const char *dir;

/* Read by the socket processes: which socket gets an emulated injector on
 * USB, and with which serial. */
#define ENV_USB_SOCKET "RIG_TEST_EMU_USB_SOCKET"
#define ENV_USB_SERIAL "RIG_TEST_EMU_USB_SERIAL"
/* Set: the sockets exercise the shared board's DAQ instead of running the
 * script, and the socket it names dies mid-stream. */
#define ENV_SPLIT_DIES "RIG_TEST_EMU_SPLIT_DIES"

static int exists(const char *in, const char *name)
{
	char path[4400];

	snprintf(path, sizeof(path), "%s/%s", in, name);
	return access(path, F_OK) == 0;
}

static void touch(const char *in, const char *name)
{
	char path[4400];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", in, name);
	if ((f = fopen(path, "w")))
		fclose(f);
}

/* What a socket's scans must be on the board playing EMU_CHANNEL: each
 * code names its hardware input, and consecutive scans count up. */
struct checker {
	const struct daq *daq;
	const struct fixture *fx;
	uint64_t scans;
	unsigned base;
	int have_base;
};

/* Read one block and check it; 0, or an error written to f. */
static int read_checked(struct checker *k, FILE *f)
{
	struct daq_block blk;
	int rc = k->daq->ops->read((struct daq *)k->daq, &blk, 5000);

	if (rc) {
		fprintf(f, "read failed: %s\n", rig_last_error());
		return rc;
	}
	if (blk.first_scan != k->scans) {
		fprintf(f, "block at scan %llu, expected %llu\n", (unsigned long long)blk.first_scan,
			(unsigned long long)k->scans);
		return -1;
	}
	for (size_t i = 0; i < blk.nscans; i++, k->scans++)
		for (size_t j = 0; j < k->daq->nchannels; j++) {
			unsigned code = blk.codes[i * k->daq->nchannels + j];

			if (!k->have_base) {
				k->base = (code - (unsigned)k->scans) & 0xfff;
				k->have_base = 1;
			}
			if (code >> 12 != (unsigned)k->fx->daq.channels[j].number ||
			    (code & 0xfff) != ((k->base + k->scans) & 0xfff)) {
				fprintf(f, "scan %llu, channel %zu: code %#x is not AI %d's\n",
					(unsigned long long)k->scans, j, code,
					k->fx->daq.channels[j].number);
				return -1;
			}
		}
	return 0;
}

/*
 * A socket of the shared-board batch, at the DAQ contract: open its group,
 * stream and check every code, drive its trigger. The dying socket presses
 * its trigger once both stream and dies with it pressed; the other keeps
 * streaming until it has died, then presses its own three times.
 */
static int split_exercise(const char *fixture, const char *socket, const char *out)
{
	static struct fixture fx;
	struct driver_context ctx = { 0 };
	const struct daq_ops *ops = daq_backend("batch");
	int dies = !strcmp(socket, getenv(ENV_SPLIT_DIES)), rc = 0;
	char path[4300], batch_dir[4300], started[32], other[32];
	struct checker k = { 0 };
	struct daq *daq = NULL;
	time_t until = time(NULL) + 60;
	FILE *f;

	mkdir(out, 0755);
	snprintf(path, sizeof(path), "%s/exercise.txt", out);
	snprintf(batch_dir, sizeof(batch_dir), "%s", out);
	dirname(batch_dir);
	snprintf(started, sizeof(started), "started-%s", socket);
	snprintf(other, sizeof(other), "started-%s", strcmp(socket, "1") ? "1" : "2");
	if (!(f = fopen(path, "w")))
		return 2;
	if (fixture_load(&fx, fixture) || fixture_select_socket(&fx, socket) ||
	    (ctx.fx = &fx, ops->open(&daq, &fx.daq, &ctx)) ||
	    ops->start(daq, fx.daq.rate_hz)) {
		fprintf(f, "error: %s\n", rig_last_error());
		fclose(f);
		return 2;
	}
	fprintf(f, "board %s %s\n", daq->board, daq->driver_name);
	for (size_t j = 0; j < daq->nchannels; j++)
		fprintf(f, "channel %s %s %.17g %.17g\n", daq->channels[j].name, daq->channels[j].unit,
			daq->channels[j].poly[0], daq->channels[j].poly[1]);
	fflush(f);
	k.daq = daq;
	k.fx = &fx;
	touch(batch_dir, started);
	/* Both stream: one command, both groups. */
	while (!rc && !exists(batch_dir, other) && time(NULL) < until)
		rc = read_checked(&k, f);
	if (dies && !rc) {
		for (int b = 0; !rc && b < 3; b++)
			rc = daq->ops->trigger(daq, 1) || read_checked(&k, f);
	}
	if (dies && !rc) {
		fprintf(f, "dies after %llu scans with its trigger pressed\n",
			(unsigned long long)k.scans);
		fclose(f);
		touch(batch_dir, "died");
		_exit(3);
	}
	while (!rc && !exists(batch_dir, "died") && time(NULL) < until)
		rc = read_checked(&k, f);
	if (!rc) {
		uint64_t before = k.scans;

		for (int b = 0; !rc && b < 50; b++) {
			if (b < 6)
				rc = daq->ops->trigger(daq, b % 2 == 0);
			rc = rc ? rc : read_checked(&k, f);
		}
		if (!rc && exists(batch_dir, "died"))
			fprintf(f, "ok %llu scans, %llu after the other socket died\n",
				(unsigned long long)k.scans, (unsigned long long)(k.scans - before));
		else if (!rc)
			fprintf(f, "the other socket never died\n");
	}
	if (rc && rc != -1)
		fprintf(f, "error: %s\n", rig_last_error());
	daq->ops->stop(daq);
	daq->ops->close(daq);
	fclose(f);
	return rc ? 2 : 0;
}

static const char *arg_after(int argc, char **argv, const char *opt)
{
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], opt))
			return argv[i + 1];
	return NULL;
}

/*
 * umockdev gives each emulated netlink socket an endpoint named after its
 * fd number ("event%i" in the testbed folder). The socket processes of a
 * batch on the shared board share the test's testbed and open libusb in
 * the same order, so both bind the same name, each unlinking the other's
 * first; now and then one bind finds the other's endpoint and libusb_init
 * fails ("Other error"). Holding a different number of spare descriptors
 * in each socket's process gives its netlink socket a number, hence an
 * endpoint, of its own. They stay open until the process ends.
 */
static void own_fd_numbers(const char *socket)
{
	for (int i = atoi(socket); i > 0; i--)
		if (open("/dev/null", O_RDONLY | O_CLOEXEC) < 0)
			break;
}

/*
 * Started as a socket of a batch ("rig run ... --socket S"): act as rig,
 * with this socket's emulated devices plugged in first. glibc hands the
 * program's arguments to constructors; Check's main never runs here.
 */
__attribute__((constructor)) static void socket_child(int argc, char **argv)
{
	const char *socket, *want = getenv(ENV_USB_SOCKET);
	struct usb_emu usb;
	int plugged = 0, rc;

	if (argc < 2 || strcmp(argv[1], "run") != 0)
		return;
	socket = arg_after(argc, argv, "--socket");
	if (socket && getenv(ENV_SPLIT_DIES))
		exit(split_exercise(arg_after(argc, argv, "--fixture"), socket,
				    arg_after(argc, argv, "--out")));
	if (socket)
		own_fd_numbers(socket);
	if (socket && want && !strcmp(socket, want)) {
		memset(&usb, 0, sizeof(usb));
		snprintf(usb.serial, sizeof(usb.serial), "%s", getenv(ENV_USB_SERIAL));
		if (usb_emu_start(&usb) != 0) {
			fprintf(stderr, "rig: test: socket %s: cannot start the USB emulator\n", socket);
			exit(2);
		}
		plugged = 1;
	}
	rc = run_command(argc - 1, argv + 1);
	if (plugged) {
		/* The run saw the cable pulled; the test asserts on the journal. */
		usb_emu_stop(&usb);
	}
	fflush(NULL);
	exit(rc);
}

static void setup(void)
{
	dir = test_tmpdir();
	/* Runs sign with a key and record into a store of this test's own. */
	{
		char key[4200], data[4200];

		snprintf(key, sizeof(key), "%s/station.sec", dir);
		snprintf(data, sizeof(data), "%s/xdg-data", dir);
		setenv("RIG_KEY", key, 1);
		setenv("XDG_DATA_HOME", data, 1);
	}
}

static json_t *load_json(const char *path)
{
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);

	ck_assert_msg(j != NULL, "%s: %s", path, err.text);
	return j;
}

static const char *str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

/*
 * The batch, as `rig run ARGS...`: this program re-executed (a process
 * with no emulator threads, as rig is: the batch forks its acquisition
 * process without exec); its stderr in *err, its exit status returned.
 */
static int batch(char **err, int argc, char **argv)
{
	char path[4300], **args = calloc((size_t)argc + 2, sizeof(*args));
	int status = 0;
	pid_t pid;

	ck_assert_ptr_nonnull(args);
	args[0] = A("rig");
	memcpy(args + 1, argv, (size_t)argc * sizeof(*args));
	snprintf(path, sizeof(path), "%s/batch.stderr", dir);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
			_exit(125);
		execv("/proc/self/exe", args);
		_exit(126);
	}
	free(args);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	*err = test_read_file(path);
	/* one line, so that a failure's message shows all of it (the suites
	 * print a Check message's first line) */
	for (char *c = *err; c && *c; c++)
		if (*c == '\n' && c[1])
			*c = '|';
	ck_assert_msg(WIFEXITED(status), "the batch died of signal %d: %s", WTERMSIG(status), *err);
	return WEXITSTATUS(status);
}

/* The journal's events of one kind, counted. */
static int journal_count(const char *run_dir, const char *event, const char *needle)
{
	char path[4300], *text, *line, *save = NULL;
	int n = 0;

	snprintf(path, sizeof(path), "%s/journal.jsonl", run_dir);
	text = test_read_file(path);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *j = json_loads(line, 0, NULL);

		ck_assert_msg(j != NULL, "%s: a line is no JSON: %.80s", path, line);
		if (!strcmp(str(j, "event"), event) && (!needle || strstr(line, needle)))
			n++;
		json_decref(j);
	}
	free(text);
	return n;
}

/*
 * Two sockets on the sim DAQ: socket 1 a sim unit, socket 2 an MI-350 on
 * USB (driver "injector", libusb on the emulated device) whose cable is
 * pulled at its 100th shot.
 */
START_TEST(unplugged_usb_unit_in_socket_2_leaves_socket_1_complete)
{
	char *text = test_read_file("fixtures/sim-bench-4.lua"), *err;
	const char *fixture, *unit2;
	char out[4200], s1[4300], s2[4300], pub[4300], seed[24], unit_arg[4300], path[4400];
	json_t *r1, *r2, *b;
	int rc;

	text = test_replace(text,
			    "    { name = \"2\", uut = { driver = \"sim\" }, trigger_line = 1 },\n"
			    "    { name = \"3\", uut = { driver = \"sim\" }, trigger_line = 2 },\n"
			    "    { name = \"4\", uut = { driver = \"sim\" }, trigger_line = 3 },\n",
			    "    { name = \"2\", uut = { driver = \"injector\", serial = \"SIM-0002\", "
			    "timeout_ms = 2000 }, trigger_line = 1 },\n");
	fixture = test_write_file(dir, "two-sockets.lua", text);
	free(text);
	/* the base it extends, beside it */
	text = test_read_file("fixtures/sim-bench.lua");
	test_write_file(dir, "sim-bench.lua", text);
	free(text);
	/* Socket 2's unit: what the emulated injector is, and when it drops off the bus. */
	unit2 = test_write_file(dir, "unit2.lua",
				"return { serial = \"SIM-0002\",\n"
				"  faults = { { kind = \"usb_disconnect\", at_shot = 100 } } }\n");
	setenv(ENV_USB_SOCKET, "2", 1);
	setenv(ENV_USB_SERIAL, "SIM-0002", 1);
	snprintf(out, sizeof(out), "%s/batch", dir);
	snprintf(seed, sizeof(seed), "%d", SEED);
	snprintf(unit_arg, sizeof(unit_arg), "2=%s", unit2);
	{
		char *argv[] = { A("run"), A("scripts/certify.lua"), A("--fixture"), A(fixture),
				 A("--out"), out, A("--seed"), seed, A("--sim-unit"), unit_arg,
				 A("--quiet"), NULL };

		rc = batch(&err, (int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
	}
	/* A socket that could not complete makes the batch's exit status 2,
	 * named on stderr with its reason. */
	ck_assert_msg(rc == 2, "batch exit %d, stderr: %s", rc, err);
	ck_assert_msg(strstr(err, "rig: socket 2: ") && strstr(err, "unit SIM-0002 left the USB bus"),
		      "stderr: %s", err);
	ck_assert_msg(!strstr(err, "socket 1"), "stderr names socket 1: %s", err);
	free(err);

	snprintf(s1, sizeof(s1), "%s/socket-1", out);
	snprintf(s2, sizeof(s2), "%s/socket-2", out);
	snprintf(pub, sizeof(pub), "%s/station.pub", dir);

	/* Socket 1 ran the whole certification: PASS, every step, and it verifies. */
	snprintf(path, sizeof(path), "%s/result.json", s1);
	r1 = load_json(path);
	ck_assert_str_eq(str(r1, "verdict"), "PASS");
	ck_assert_str_eq(str(r1, "socket"), "1");
	ck_assert_uint_eq(json_array_size(json_object_get(r1, "steps")), 13);
	ck_assert_int_eq(journal_count(s1, "run_end", "\"PASS\""), 1);
	ck_assert_int_eq(journal_count(s1, "device_error", NULL), 0);
	{
		char *argv[] = { A("verify"), s1, A("--key"), pub, NULL };

		ck_assert_int_eq(verify_command(4, argv), 0);
	}

	/* Socket 2 ended in ERROR, journaled, with the reason; the shots it
	 * measured before the unplug are kept. */
	snprintf(path, sizeof(path), "%s/result.json", s2);
	r2 = load_json(path);
	ck_assert_str_eq(str(r2, "verdict"), "ERROR");
	ck_assert_str_eq(str(r2, "socket"), "2");
	ck_assert_msg(strstr(str(r2, "error"), "unit SIM-0002 left the USB bus"), "%s",
		      str(r2, "error"));
	ck_assert_str_eq(str(json_object_get(r2, "uut"), "serial"), "SIM-0002");
	ck_assert_int_eq(journal_count(s2, "run_end", "\"ERROR\""), 1);
	ck_assert_int_ge(journal_count(s2, "device_error", "left the USB bus"), 1);
	/* It was measured over USB up to the unplug: the first step's 60
	 * shots and 39 of the second's. */
	ck_assert_int_eq(journal_count(s2, "burst", NULL), 2);
	{
		char *shots;

		snprintf(path, sizeof(path), "%s/shots.csv", s2);
		shots = test_read_file(path);
		ck_assert_ptr_nonnull(strstr(shots, "\nDEPTH-ACC@2mm,39,"));
		ck_assert_ptr_null(strstr(shots, "\nDEPTH-ACC@2mm,40,"));
		free(shots);
	}
	{
		char *argv[] = { A("verify"), s2, A("--key"), pub, NULL };

		/* An ERROR run is still an authentic record. */
		ck_assert_int_eq(verify_command(4, argv), 0);
	}

	/* The batch summary says the same. */
	snprintf(path, sizeof(path), "%s/batch.json", out);
	b = load_json(path);
	ck_assert_str_eq(str(b, "verdict"), "ERROR");
	ck_assert_str_eq(str(json_array_get(json_object_get(b, "sockets"), 0), "verdict"), "PASS");
	ck_assert_str_eq(str(json_array_get(json_object_get(b, "sockets"), 1), "verdict"), "ERROR");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(json_object_get(b,
		"sockets"), 1), "exit_status")), 2);
	json_decref(r1);
	json_decref(r2);
	json_decref(b);
}
END_TEST

/* The run directory's exercise.txt of a socket. */
static char *exercise(const char *out, const char *socket)
{
	char path[4400];

	snprintf(path, sizeof(path), "%s/socket-%s/exercise.txt", out, socket);
	return test_read_file(path);
}

/*
 * fixtures/ni-pci6221-2.lua on the emulated PCI-6221: the batch's
 * acquisition process owns the board (the real comedilib and comedi
 * driver), runs one command with both groups, and each socket gets its own
 * inputs, scan after scan; socket 2 dies mid-stream with its trigger
 * pressed, and socket 1 streams on.
 */
START_TEST(two_sockets_share_one_comedi_command_split_by_socket)
{
	struct emu_comedi_config c = { .signal = EMU_CHANNEL };
	struct emu_comedi_stats st;
	char out[4200], *err, *e1, *e2;
	char path[4400];
	json_t *b;
	int rc;

	emu_comedi_start(&c);
	setenv(ENV_SPLIT_DIES, "2", 1);
	snprintf(out, sizeof(out), "%s/batch", dir);
	{
		char *argv[] = { A("run"), A("scripts/certify.lua"), A("--fixture"),
				 A("fixtures/ni-pci6221-2.lua"), A("--out"), out, A("--quiet"), NULL };

		rc = batch(&err, (int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
	}
	emu_comedi_stats(&st);
	emu_comedi_stop();
	unsetenv(ENV_SPLIT_DIES);
	e1 = exercise(out, "1");
	e2 = exercise(out, "2");

	/* Each socket got its own group, as the board reported it, with its
	 * own calibration. */
	ck_assert_msg(strstr(e1, "board pci-6221 ni_pcimio\n"), "%s", e1);
	ck_assert_msg(strstr(e1, "channel displacement mm -1 0.0001220703125\n"), "%s", e1);
	ck_assert_msg(strstr(e2, "channel displacement mm -1.02 0.0001220703125\n"), "%s", e2);
	ck_assert_msg(strstr(e2, "channel plunger ul 0 0.125\n"), "%s", e2);
	/* Every code socket 1 read was from its own inputs, AI 0-2, in scan
	 * order, before and long after socket 2 died. */
	ck_assert_msg(strstr(e2, "dies after ") && !strstr(e2, "is not AI"), "socket 2: %s", e2);
	ck_assert_msg(strstr(e1, "ok ") && !strstr(e1, "error"), "socket 1: %s", e1);
	{
		unsigned long long total = 0, after = 0;

		ck_assert_int_eq(sscanf(strstr(e1, "ok "), "ok %llu scans, %llu after", &total, &after), 2);
		ck_assert_uint_ge(after, 50); /* 50 blocks of at least one scan */
		ck_assert_uint_gt(total, after);
	}

	/* One command scanned both groups: AI 0-5 at 20 kS/s each. */
	ck_assert_uint_eq(st.commands, 1);
	ck_assert_uint_eq(st.chanlist_len, 6);
	for (unsigned i = 0; i < 6; i++)
		ck_assert_uint_eq(CR_CHAN(st.chanlist[i]), i);
	ck_assert_uint_eq(st.scan_period_ns, 50000);
	/* Each socket drove its own trigger line; socket 2's, left pressed,
	 * was released as it died while the board ran on for socket 1. */
	ck_assert_uint_eq(st.line_presses[0], 3);
	ck_assert_uint_eq(st.line_presses[1], 1);
	ck_assert_uint_eq(st.released_running & 2u, 2u);
	/* Requests wait for the block being read: the board is read 5 ms at
	 * most at a time (100 scans of six 16-bit codes), not in the fixture's
	 * 1024-scan blocks, so a release waits no longer than that. */
	ck_assert_uint_gt(st.most_read_bytes, 0);
	ck_assert_uint_le(st.most_read_bytes, 100 * 6 * 2);
	ck_assert_uint_eq(st.dio_state & 3u, 0);

	/* The batch: socket 1 ended well, socket 2 in error, exit 2. */
	ck_assert_msg(rc == 2, "batch exit %d: %s", rc, err);
	snprintf(path, sizeof(path), "%s/batch.json", out);
	b = load_json(path);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(json_object_get(b,
		"sockets"), 0), "exit_status")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(json_object_get(b,
		"sockets"), 1), "exit_status")), 2);
	json_decref(b);
	free(err);
	free(e1);
	free(e2);
}
END_TEST

/* A step of each kind, short: what each socket measures on its own inputs. */
static const char *const two_steps =
	"rig.step(\"DEPTH-ACC\", { depth_mm = 4, dose_ul = 20, rate_per_min = 240, label = \"4 mm\" },\n"
	"  function(s)\n"
	"    local shots = assert(rig.uut:burst(20))\n"
	"    s:judge(\"depth_mm\", shots.depth_mm, { requirement = \"DEPTH-ACC\", target = 4,\n"
	"            each = { lo = 3.7, hi = 4.3 } })\n"
	"  end)\n"
	"rig.step(\"DOSE-ACC\", { depth_mm = 4, dose_ul = 50, rate_per_min = 240, label = \"50 ul\" },\n"
	"  function(s)\n"
	"    local shots = assert(rig.uut:burst(20))\n"
	"    s:judge(\"volume_ul\", shots.volume_ul, { requirement = \"DOSE-ACC\", target = 50,\n"
	"            each = { lo = 47, hi = 53 } })\n"
	"  end)\n";

/* Each socket's unit: an injector on USB (its own port of the emulated
 * bus) playing a sim model of this process, whose sensors are that
 * socket's channel group on the emulated board. */
struct bench_unit {
	struct fixture fx;       /* the fixture as that socket sees it */
	struct driver_context ctx;
	struct uut *uut;         /* the sim unit that made the model */
	struct usb_emu usb;
};

/* The unit's model, before the board that plays it. */
static void unit_model(struct bench_unit *u, const char *fixture, const char *socket,
		       const char *unit_file, uint64_t seed)
{
	memset(u, 0, sizeof(*u));
	ck_assert_msg(fixture_load(&u->fx, fixture) == 0 &&
		      fixture_select_socket(&u->fx, socket) == 0, "%s", rig_last_error());
	snprintf(u->fx.uut.driver, sizeof(u->fx.uut.driver), "sim");
	u->ctx.fx = &u->fx;
	u->ctx.opt.sim_unit = unit_file;
	u->ctx.opt.seed = seed;
	ck_assert_msg(sim_uut_ops.open(&u->uut, &u->fx.uut, &u->ctx) == 0, "%s", rig_last_error());
}

/* Plug it in, on the board's testbed. */
static void unit_plug(struct bench_unit *u, const char *socket, const char *serial)
{
	snprintf(u->usb.serial, sizeof(u->usb.serial), "%s", serial);
	u->usb.testbed = emu_comedi_testbed();
	u->usb.port = (unsigned)atoi(socket);
	u->usb.sim = u->ctx.shared.state;
	ck_assert_int_eq(usb_emu_start(&u->usb), 0);
}

static void unit_stop(struct bench_unit *u)
{
	usb_emu_stop(&u->usb);
	sim_uut_ops.close(u->uut);
	driver_context_release(&u->ctx);
}

/* The mean of a measurement of a step in a run's result.json. */
static double step_mean(json_t *result, const char *step, const char *name)
{
	size_t i, j;
	json_t *st, *m;

	json_array_foreach(json_object_get(result, "steps"), i, st)
		if (!strcmp(str(st, "requirement"), step))
			json_array_foreach(json_object_get(st, "measurements"), j, m)
				if (!strcmp(str(m, "name"), name))
					return json_real_value(json_object_get(m, "mean"));
	ck_abort_msg("no %s %s in the result", step, name);
	return 0;
}

/* The shared-board bench of the tests below: both sockets run two_steps,
 * socket 1 with the nominal unit, socket 2 with unit2 (serial2); the
 * batch's exit status, each socket's result and the board's statistics. */
struct shared_run {
	int rc;
	char *err;
	json_t *r1, *r2;
	struct emu_comedi_stats st;
	unsigned arms[2], notifications[2];
	int unplugged2;
};

static void run_shared_bench(const char *unit2, const char *serial2, struct shared_run *res)
{
	struct emu_comedi_config c = { .signal = EMU_SIM, .realtime = 1 };
	static struct fixture all;
	static struct bench_unit u1, u2;
	char *text = test_read_file("fixtures/ni-pci6221-2.lua");
	char *base = test_read_file("fixtures/ni-pci6221.lua");
	const char *fixture, *script;
	char out[4200], path[4400], serial_arg[64];

	/* The bench of the test: no balance (the steps weigh nothing). */
	text = test_replace(text, "driver = \"mtsics\",\n    port = \"/dev/ttyACM0\",\n    baud = 9600,",
			    "driver = \"\",");
	fixture = test_write_file(dir, "bench.lua", text);
	test_write_file(dir, "ni-pci6221.lua", base);  /* the base bench.lua extends */
	free(text);
	free(base);
	script = test_write_file(dir, "two-steps.lua", two_steps);
	ck_assert_msg(fixture_load(&all, fixture) == 0, "%s", rig_last_error());
	c.fx = &all;
	unit_model(&u1, fixture, "1", "fixtures/units/nominal.lua", SEED);
	unit_model(&u2, fixture, "2", unit2, SEED + 1);
	/* The board plays each group from its own unit. */
	c.groups[0] = (struct emu_group){ &u1.fx.daq, u1.ctx.shared.state, 0, SEED };
	c.groups[1] = (struct emu_group){ &u2.fx.daq, u2.ctx.shared.state, 1, SEED + 1 };
	c.ngroups = 2;
	emu_comedi_start(&c);
	unit_plug(&u1, "1", "SIM-0001");
	unit_plug(&u2, "2", serial2);
	snprintf(out, sizeof(out), "%s/batch", dir);
	snprintf(serial_arg, sizeof(serial_arg), "2=%s", serial2);
	{
		char *argv[] = { A("run"), A(script), A("--fixture"), A(fixture), A("--out"), out,
				 A("--serial"), A("1=SIM-0001"), A("--serial"), serial_arg,
				 A("--quiet"), NULL };

		res->rc = batch(&res->err, (int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
	}
	emu_comedi_stats(&res->st);
	res->arms[0] = usb_emu_requests(&u1.usb, INJ_ARM);
	res->arms[1] = usb_emu_requests(&u2.usb, INJ_ARM);
	res->notifications[0] = u1.usb.notifications;
	res->notifications[1] = u2.usb.notifications;
	res->unplugged2 = u2.usb.unplugged;
	snprintf(path, sizeof(path), "%s/socket-1/result.json", out);
	res->r1 = load_json(path);
	snprintf(path, sizeof(path), "%s/socket-2/result.json", out);
	res->r2 = load_json(path);
	unit_stop(&u1);
	unit_stop(&u2);
	emu_comedi_stop();
}

static void shared_run_free(struct shared_run *res)
{
	free(res->err);
	json_decref(res->r1);
	json_decref(res->r2);
}

/*
 * The whole run on the shared board: both sockets run a script, each with
 * its unit on USB and its sensors on its channel group of one command; the
 * board plays each group from its own unit, in real time. Socket 2's unit
 * delivers 90 % of the set dose: only socket 2 fails, on DOSE-ACC, having
 * measured its own unit's dose; socket 1 measures its own.
 */
START_TEST(two_sockets_certify_on_one_board_each_its_own_unit)
{
	struct shared_run res;

	run_shared_bench("fixtures/units/dose-low.lua", "SIM-BAD-DOSE", &res);
	ck_assert_msg(res.rc == 1, "batch exit %d: %s", res.rc, res.err);
	ck_assert_str_eq(str(res.r1, "verdict"), "PASS");
	ck_assert_str_eq(str(res.r2, "verdict"), "FAIL");
	ck_assert_str_eq(str(json_object_get(res.r1, "uut"), "serial"), "SIM-0001");
	ck_assert_str_eq(str(json_object_get(res.r2, "uut"), "serial"), "SIM-BAD-DOSE");
	/* Each measured its own unit: 50 ul set, 50 and 45 (90 %) delivered. */
	ck_assert_double_eq_tol(step_mean(res.r1, "DOSE-ACC", "volume_ul"), 50.0, 0.5);
	ck_assert_double_eq_tol(step_mean(res.r2, "DOSE-ACC", "volume_ul"), 45.0, 0.5);
	ck_assert_double_eq_tol(step_mean(res.r1, "DEPTH-ACC", "depth_mm"), 4.0, 0.1);
	ck_assert_double_eq_tol(step_mean(res.r2, "DEPTH-ACC", "depth_mm"), 4.0, 0.1);
	/* Through the emulated devices: both groups in the board's commands,
	 * each unit armed over its own USB device, fired by its own line. */
	ck_assert_uint_eq(res.st.chanlist_len, 6);
	ck_assert_uint_eq(res.arms[0], 2);
	ck_assert_uint_eq(res.arms[1], 2);
	ck_assert_uint_eq(res.notifications[0], 40);
	ck_assert_uint_eq(res.notifications[1], 40);
	ck_assert_uint_ge(res.st.line_presses[0], 2);
	ck_assert_uint_ge(res.st.line_presses[1], 2);
	shared_run_free(&res);
}
END_TEST

/* Socket 2's unit drops off the USB bus at its 25th shot, mid-burst on
 * the shared board: socket 2 ends in ERROR, socket 1 completes, PASS. */
START_TEST(unplug_in_socket_2_on_the_shared_board_leaves_socket_1_complete)
{
	const char *unit2 = test_write_file(dir, "unplug.lua",
					    "return { serial = \"SIM-0002\",\n"
					    "  faults = { { kind = \"usb_disconnect\", at_shot = 25 } } }\n");
	struct shared_run res;

	run_shared_bench(unit2, "SIM-0002", &res);
	ck_assert_msg(res.rc == 2, "batch exit %d: %s", res.rc, res.err);
	ck_assert_msg(strstr(res.err, "rig: socket 2: ") &&
		      strstr(res.err, "unit SIM-0002 left the USB bus"), "%s", res.err);
	ck_assert_str_eq(str(res.r1, "verdict"), "PASS");
	ck_assert_double_eq_tol(step_mean(res.r1, "DOSE-ACC", "volume_ul"), 50.0, 0.5);
	ck_assert_str_eq(str(res.r2, "verdict"), "ERROR");
	ck_assert_msg(strstr(str(res.r2, "error"), "unit SIM-0002 left the USB bus"), "%s",
		      str(res.r2, "error"));
	ck_assert_int_eq(res.unplugged2, 1);
	ck_assert_uint_eq(res.notifications[0], 40);
	/* Socket 2's trigger line was released, socket 1's too at its end. */
	ck_assert_uint_eq(res.st.dio_state & 3u, 0);
	shared_run_free(&res);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("sockets on emulated devices");
	TCase *tc = tcase_create("usb");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, unplugged_usb_unit_in_socket_2_leaves_socket_1_complete);
	suite_add_tcase(s, tc);
	tc = tcase_create("comedi");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, two_sockets_share_one_comedi_command_split_by_socket);
	tcase_add_test(tc, two_sockets_certify_on_one_board_each_its_own_unit);
	/* Under heavy load (3 busy loops and two copies of this case) this
	 * run hangs about once in eight: socket 2's process waits inside an
	 * ioctl umockdev forwarded to this process's USB emulator, whose
	 * handler thread sits idle in poll: a request the emulation never
	 * answers (usbfs never blocks there). Keeping the node after the
	 * unplug did not change it. Not in the suite until that is found;
	 * RIG_TEST_SHARED_USB=1 runs it. */
	if (getenv("RIG_TEST_SHARED_USB"))
		tcase_add_test(tc, unplug_in_socket_2_on_the_shared_board_leaves_socket_1_complete);
	suite_add_tcase(s, tc);
	return s;
}
