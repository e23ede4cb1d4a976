/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nsnet's own state under /run/nsnet: it lives as long as the namespaces do (a
 * tmpfs, gone at reboot). One JSON file per network, written atomically; one lock
 * serialises every command that changes state (parallel `attach`es included).
 */
#ifndef NSNET_STATE_H
#define NSNET_STATE_H
#include <jansson.h>
#include "base/base.h"

/* Where the state lives: /run/nsnet unless the program said otherwise through
 * nsnet_configure() (root.c). The paths are computed once there, so every user reads
 * a plain string. */
struct state_paths {
	char root[NSNET_STATE_ROOT_MAX], net[NSNET_STATE_ROOT_MAX + 16], journal[NSNET_STATE_ROOT_MAX + 16],
		publish[NSNET_STATE_ROOT_MAX + 16], lab[NSNET_STATE_ROOT_MAX + 16], fw[NSNET_STATE_ROOT_MAX + 16],
		lock[NSNET_STATE_ROOT_MAX + 16];
};
extern struct state_paths state_paths;
#define NSNET_STATE_DIR (state_paths.root)
#define NSNET_NET_DIR (state_paths.net)
#define NSNET_JOURNAL_DIR (state_paths.journal)
#define NSNET_PUBLISH_DIR (state_paths.publish)
#define NSNET_LAB_DIR (state_paths.lab)
#define NSNET_FW_FILE (state_paths.fw)
/* The switches of nsnet_configure() that lower layers read. */
bool state_ignore_foreign_firewall(void);
/* nsnet's state is root's alone: labs keep their source file, networks their
 * members; nobody else may read it (docs/security.md). Directories 0700, files 0600. */
#define NSNET_STATE_DIR_MODE 0700
#define NSNET_STATE_FILE_MODE 0600
/* What a state file may weigh: a lab's holds its source (at most 16 MiB, escaped)
 * and its elements; anything bigger is not ours. */
#define NSNET_STATE_FILE_MAX ((size_t)256 << 20)

/* Take the global lock (blocking). Release with state_unlock (or close the fd). */
int state_lock(int *ret_fd, struct nsnet_error *e);
void state_unlock(int fd);

/* A kind of named record: one file NAME.json a record in dir, checked on load. */
struct state_kind {
	const char *dir;
	const char *what;      /* "network": in "network 'x' not found" */
	int (*check)(json_t *v, const char *name, const char *path, struct nsnet_error *e);
	const char *bad_name;  /* the error for an invalid name, or NULL for the name check's own */
};
extern const struct state_kind state_networks, state_labs;
int state_load(const struct state_kind *k, const char *name, json_t **ret, struct nsnet_error *e);  /* -ENOENT: none */
/* Written atomically under the name in v's "name". */
int state_save(const struct state_kind *k, json_t *v, struct nsnet_error *e);
int state_remove(const struct state_kind *k, const char *name, struct nsnet_error *e);
int state_names(const struct state_kind *k, char ***ret, size_t *ret_n, struct nsnet_error *e);
/* A single record file (fw.json): missing loads as {}, and {} saves as no file. */
int state_load_file(const char *path, int (*check)(json_t *, const char *, struct nsnet_error *), json_t **ret,
		    struct nsnet_error *e);
int state_save_file(const char *path, json_t *v, struct nsnet_error *e);

/* Networks' records (the network kind). */
int state_net_load(const char *name, json_t **ret, struct nsnet_error *e);   /* -ENOENT: no such network */
int state_net_save(json_t *net, struct nsnet_error *e);
int state_net_remove(const char *name, struct nsnet_error *e);
/* Sorted names X of the files X.json in dir. */
int state_dir_names(const char *dir, char ***ret, size_t *ret_n, struct nsnet_error *e);
/* Sorted names of every network. */
int state_net_names(char ***ret, size_t *ret_n, struct nsnet_error *e);

/* ---- journal.c: intent recorded before a multi-step change (see lib/fw/recover.c) ---- */
struct journal {
	char path[256];
};
/* Write `entry` (an object with "op" and what the op needs to be finished or undone;
 * stolen) before the first change. Call journal_end once the command has finished or
 * undone the change itself, on success and on handled failure alike. */
int journal_begin(struct journal *j, json_t *entry, struct nsnet_error *e);
void journal_end(struct journal *j);
/* Entries left behind (by dead commands, when the caller holds the lock), oldest first. */
int journal_entries(char ***ret, size_t *ret_n, struct nsnet_error *e);
int journal_load(const char *name, json_t **ret, struct nsnet_error *e);
void journal_remove(const char *name);

/* Atomic JSON file write (tmp + rename) and read. */
int json_write_atomic(const char *path, json_t *v, struct nsnet_error *e);
int json_read(const char *path, json_t **ret, struct nsnet_error *e);

/* State documents from memory (a file's bytes; path names it in errors): a JSON
 * object, or -EIO "PATH:LINE: corrupt state: ...". */
int state_parse(const char *buf, size_t len, const char *path, json_t **ret, struct nsnet_error *e);
/* Check the shape of a network's state (name: the network it must be, or NULL);
 * -EIO "PATH: corrupt state: KEY ..." when it is not one nsnet can act on. */
int state_net_check(json_t *net, const char *name, const char *path, struct nsnet_error *e);
/* state_parse + state_net_check: what state_net_load does with the file's bytes. */
int state_net_parse(const char *buf, size_t len, const char *name, const char *path, json_t **ret,
		    struct nsnet_error *e);

/* The same for a lab's state (name: the lab it must be, or NULL), fw.json, and a
 * published port's file. */
int state_lab_check(json_t *st, const char *name, const char *path, struct nsnet_error *e);
int state_fw_check(json_t *st, const char *path, struct nsnet_error *e);
int state_publish_check(json_t *p, const char *path, struct nsnet_error *e);



/* ---- net.c: a network's record ---- */
/* The subnet object of a family, or NULL. */
json_t *net_subnet(json_t *net, int family);
/* The member object of ns, or NULL (its array index in *ret_idx). */
json_t *net_member(json_t *net, const char *ns, size_t *ret_idx);
/* Pool of one subnet with the gateway and every member's address reserved. */
int net_ipam(json_t *net, json_t *subnet, struct ipam *ret, struct nsnet_error *e);

/* ---- publish.c: published ports' records ---- */
/* The file of the publish of PORT/PROTO ("tcp", "udp"). */
int state_publish_path(const char *proto, unsigned port, char *buf, size_t len);
/* Every publish, sorted by protocol and port. */
int publish_load_all(json_t **ret, struct nsnet_error *e);
/* The same, only the records keep(p) says yes to. */
int publish_load_where(bool (*keep)(json_t *p), json_t **ret, struct nsnet_error *e);

/* ---- lab.c: a lab's record ---- */
int lab_state_load(const char *lab, json_t **ret, struct nsnet_error *e);  /* -ENOENT: no such lab */
int lab_state_save(json_t *st, struct nsnet_error *e);
int lab_state_remove(const char *lab, struct nsnet_error *e);
int lab_state_names(char ***ret, size_t *ret_n, struct nsnet_error *e);
/* { element key: lab } for every lab other than `except`. */
json_t *lab_owners(const char *except);

#endif
