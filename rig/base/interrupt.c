#include "rig/base/interrupt.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t requested;

void interrupt_request(void)
{
	requested = 1;
}

int interrupt_requested(void)
{
	return requested;
}

static void on_signal(int sig)
{
	(void)sig;
	requested = 1;
}

void interrupt_install_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* A full disk or file-size limit must be an error to report, not a kill. */
	signal(SIGXFSZ, SIG_IGN);
}
