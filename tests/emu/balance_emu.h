#ifndef RIG_TESTS_BALANCE_EMU_H
#define RIG_TESTS_BALANCE_EMU_H

/*
 * An MT-SICS analytical balance on the far end of a pseudo-terminal: a
 * thread reads commands from the pty master and answers them, so the
 * mtsics driver talks to a real kernel tty (termios, timeouts, hang-up).
 *
 * Standalone it weighs what the test puts on it (gross_g). With a source
 * it answers from that scale backend instead: the hybrid bench gives it the
 * sim balance of the running bench, so the readings are the pure sim's.
 */
#include <pthread.h>

#include "drivers/scale.h"

#define BALANCE_EMU_ANSWERS 8

struct balance_emu {
	/* Set before balance_emu_start. */
	char serial[32];
	char model[48];
	double readability_g;
	struct scale *(*source)(struct balance_emu *e); /* NULL: standalone */
	void *ctx;                                      /* for source */

	/* Read by the test, written by the emulator thread under lock. */
	char slave_path[64];   /* the port the driver opens */
	unsigned commands;     /* commands received */
	char last[16];         /* the last one */

	/* Private. */
	pthread_mutex_t lock;
	pthread_t thread;
	int master, slave, wake[2], running;
	double gross_g, zero_g, tare_g;
	unsigned unstable;
	int silent;
	struct {
		char cmd[8];
		char reply[64];
	} answers[BALANCE_EMU_ANSWERS];
	unsigned nanswers;
};

/* Open the pty and start answering. 0 or -1 (errno). */
int balance_emu_start(struct balance_emu *e);
void balance_emu_stop(struct balance_emu *e);

/* Put this gross load on the pan (grams). */
void balance_emu_load(struct balance_emu *e, double gross_g);

/* The next n weighing commands (S, SI, T, Z) find the balance unsettled. */
void balance_emu_unsettle(struct balance_emu *e, unsigned n);

/* Answer the next cmd with this line instead (error replies, garbage). */
void balance_emu_answer(struct balance_emu *e, const char *cmd, const char *reply);

/* Read commands and never answer (the host times out). */
void balance_emu_silence(struct balance_emu *e);

/* Close the pty master: the port hangs up as when a USB balance is unplugged. */
void balance_emu_hangup(struct balance_emu *e);

#endif
