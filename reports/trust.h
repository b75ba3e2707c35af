#ifndef RIG_REPORTS_TRUST_H
#define RIG_REPORTS_TRUST_H

/*
 * The trust store: which public keys this reviewer accepts, each bound to a
 * name and a role. rig verify authenticates a run only against it (or a
 * key pinned with --key): a key inside the run directory proves nothing,
 * since whoever forges a run can sign it with a key of their own.
 *
 * Files: $XDG_CONFIG_HOME/rig/trust (else ~/.config/rig/trust), then the
 * system-wide /etc/rig/trust. One entry a line, tab-separated:
 *   ROLE  KEY-ID  PUBLIC-KEY  NAME
 * ROLE station, operator, reviewer or approver; KEY-ID the key's ID
 * (reports/keys.h, checked against the key); PUBLIC-KEY the base64 line of
 * the signify public key file; NAME the station or the person's printed
 * name. Lines starting with # and empty lines are ignored. A store file
 * others may write is refused, like ssh's authorized_keys.
 */
#include <stddef.h>

#include "reports/keys.h"

#define TRUST_NAME_MAX 64

struct trust_entry {
	char role[16];
	char name[TRUST_NAME_MAX];
	char id[2 * KEY_NUM_BYTES + 1];
	struct station_key key;   /* public part only */
	char source[4096];        /* the file it came from */
	size_t line;
};

struct trust {
	struct trust_entry *e;
	size_t n;
};

/* The user's store file. */
int trust_user_path(char *out, size_t len);
#define TRUST_SYSTEM_PATH "/etc/rig/trust"

/* Read the user's store, then the system's (each may be absent). A
 * malformed or unsafe file is an error "FILE:LINE: what". */
int trust_load(struct trust *t);
void trust_release(struct trust *t);

/* NULL when role is known, else the list to offer. */
const char *trust_check_role(const char *role);

/* 1 when a key in role may sign with meaning (authored, reviewed,
 * approved, rejected). */
int trust_role_allows(const char *role, const char *meaning);

/* The entries for key (same public key), one after another: pass the
 * previous result (NULL first). */
const struct trust_entry *trust_next_for_key(const struct trust *t, const unsigned char pk[32],
					     const struct trust_entry *after);

/* The first entry with the signify key number, in role (NULL: any). */
const struct trust_entry *trust_find_keynum(const struct trust *t,
					    const unsigned char keynum[KEY_NUM_BYTES],
					    const char *role);

/* Add pub_path's key to the user's store as name in role. Refuses a name
 * with a tab or newline, the same key bound to another name, and an entry
 * already there. */
int trust_add(const char *pub_path, const char *name, const char *role);

/* Remove every entry of the user's store whose key ID is id (or whose key
 * is the one in the public key file id names); *removed counts them. */
int trust_remove(const char *id, size_t *removed);

#endif
