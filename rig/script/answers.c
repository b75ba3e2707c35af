/*
 * Operator prompts answered through a file (rig run --answers FILE), the way
 * rig serve answers them from the browser: the run journals "prompt_open",
 * then waits for FILE to appear, takes its first line as the answer and
 * removes it. The writer creates it whole (write a temporary, rename), so a
 * half-written answer is never read; a server restart loses nothing, since
 * the waiting run and the journal hold the state (docs/serve.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rig/base/interrupt.h"
#include "rig/script/answers.h"

void answers_clear(const char *path)
{
	unlink(path);
}

int answers_wait(const char *path, char *answer, size_t len)
{
	const struct timespec poll = { 0, 100 * 1000 * 1000 };

	for (;;) {
		int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		ssize_t n;

		if (fd < 0) {
			if (errno != ENOENT && errno != EINTR)
				return -1;
			if (interrupt_requested())
				return -1;
			nanosleep(&poll, NULL);
			continue;
		}
		n = read(fd, answer, len - 1);
		close(fd);
		unlink(path);
		if (n < 0)
			return -1;
		answer[n] = '\0';
		answer[strcspn(answer, "\r\n")] = '\0';
		return 0;
	}
}
