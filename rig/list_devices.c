#include "rig/list_devices.h"

#include "rig/bench.h"

struct section {
	FILE *out;
	unsigned found;
};

static void print_daq(void *ctx, const struct daq_found *f)
{
	struct section *s = ctx;

	s->found++;
	if (f->board[0])
		fprintf(s->out, "  %-14s %s (driver %s): %s\n", f->device, f->board, f->driver_name,
			f->detail);
	else
		fprintf(s->out, "  %-14s %s\n", f->device, f->detail);
}

int list_devices(FILE *out)
{
	const struct daq_ops *ops;

	for (size_t i = 0; (ops = daq_backend_at(i)) != NULL; i++) {
		struct section s = { .out = out };

		if (!ops->probe)
			continue;
		fprintf(out, "DAQ boards (%s):\n", ops->name);
		ops->probe(print_daq, &s);
		if (!s.found)
			fprintf(out, "  none found\n");
	}
	return 0;
}

int list_devices_command(int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr, "rig: list-devices takes no arguments (got \"%s\")\n", argv[1]);
		return 2;
	}
	return list_devices(stdout) ? 2 : 0;
}
