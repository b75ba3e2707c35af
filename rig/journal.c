#include "rig/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rig/error.h"
#include "rig/file.h"
#include "rig/timefmt.h"

int journal_create(struct journal *j, const char *path)
{
	memset(j, 0, sizeof(*j));
	snprintf(j->path, sizeof(j->path), "%s", path);
	memset(j->prev, '0', 64);
	j->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
	if (j->fd < 0)
		return rig_error_errno(RIG_ERR_IO, "%s: cannot create journal", path);
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int journal_append(struct journal *j, const char *event, json_t *fields)
{
	json_t *line = json_object();
	char now[32], *text;
	size_t len;
	int rc = 0;

	if (j->fd < 0) {
		json_decref(fields);
		return rig_error(RIG_ERR_IO, "%s: journal is closed", j->path);
	}
	time_format_iso(time(NULL), now, sizeof(now));
	json_object_set_new(line, "seq", json_integer((json_int_t)j->seq));
	json_object_set_new(line, "time", json_string(now));
	json_object_set_new(line, "event", json_string(event));
	if (fields)
		json_object_update(line, fields);
	json_object_set_new(line, "prev", json_string(j->prev));
	json_decref(fields);
	text = json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(17) | JSON_ENSURE_ASCII);
	json_decref(line);
	if (!text)
		return rig_error(RIG_ERR_NOMEM, "%s: cannot encode event %s", j->path, event);
	len = strlen(text);
	text[len] = '\n';
	if (write_all(j->fd, text, len + 1) != 0 || fdatasync(j->fd) != 0)
		rc = rig_error_errno(RIG_ERR_IO, "%s: cannot append event %s", j->path, event);
	else {
		sha256_hex(text, len, j->prev);
		j->seq++;
	}
	free(text);
	return rc;
}

int journal_close(struct journal *j)
{
	int rc = 0;

	if (j->fd >= 0 && close(j->fd) != 0)
		rc = rig_error_errno(RIG_ERR_IO, "%s: close failed", j->path);
	j->fd = -1;
	return rc;
}
