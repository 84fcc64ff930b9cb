/*
 * Everything read from a log: records counted into groups (executable, ABI, syscall, action) in
 * an open-addressing table that allocates only for a group it has not seen, and the counts of
 * malformed lines and of the records the log says were lost.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sysfence/audit.h>

#include "util/util.h"

struct entry {
	uint64_t count;
	char *exe, *comm, *syscall_text;
	size_t exe_len, comm_len, syscall_text_len;
	const struct sf_arch *abi;
	bool has_arch;
	uint32_t audit_arch;
	long syscall;
	const char *syscall_name;
	enum sf_audit_action action;
};

struct sf_audit_log {
	uint64_t lines, records, malformed, gaps;
	uint64_t suppressed, missed;
	bool uncounted;
	/* audit_lost=N is a running count: what a log shows lost is its growth, per boot. */
	bool have_lost;
	uint64_t lost_first, lost_last, lost_done;
	struct entry *tab;
	uint64_t *hashes; /* tab's hashes alone, probed first: a line touches one cache line */
	size_t cap, n;
	struct sf_audit_group *sorted;
	size_t nsorted;
	bool sorted_valid;
	struct sf_arena *arena;
};

struct sf_audit_log *sf_audit_log_new(void)
{
	struct sf_audit_log *log = calloc(1, sizeof(*log));

	if (!log)
		return NULL;
	log->arena = sf_arena_new();
	if (!log->arena) {
		free(log);
		return NULL;
	}
	return log;
}

void sf_audit_log_free(struct sf_audit_log *log)
{
	if (!log)
		return;
	sf_arena_free(log->arena);
	free(log->tab);
	free(log->hashes);
	free(log->sorted);
	free(log);
}

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/* Without an executable (journald's records have one; a garbled line may not), comm names the
 * group. */
static void key_of(const struct sf_audit_record *r, const char **exe, size_t *exe_len,
		   const char **comm, size_t *comm_len, const char **text, size_t *text_len)
{
	*exe = r->exe ? r->exe : "";
	*exe_len = r->exe ? r->exe_len : 0;
	*comm = *exe_len ? "" : r->comm ? r->comm : "";
	*comm_len = *exe_len ? 0 : r->comm ? r->comm_len : 0;
	/* A call known by number is that number; a name we cannot number is its text. */
	*text = r->syscall < 0 && r->syscall_text ? r->syscall_text : "";
	*text_len = r->syscall < 0 && r->syscall_text ? r->syscall_text_len : 0;
}

static uint64_t mix_u64(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ULL;
}

static uint64_t hash_record(const struct sf_audit_record *r)
{
	const char *exe, *comm, *text;
	size_t el, cl, tl;
	uint64_t h = 0xcbf29ce484222325ULL;

	key_of(r, &exe, &el, &comm, &cl, &text, &tl);
	h = mix(h, exe, el);
	h = mix_u64(h, el);
	h = mix(h, comm, cl);
	h = mix_u64(h, cl);
	h = mix(h, text, tl);
	h = mix_u64(h, (uint64_t)(uintptr_t)r->abi);
	h = mix_u64(h, r->abi ? 0 : r->audit_arch);
	h = mix_u64(h, (uint64_t)r->syscall);
	h = mix_u64(h, (uint64_t)r->action);
	h ^= h >> 29;
	return h | 1; /* 0 marks a free slot */
}

static bool same(const struct entry *e, const struct sf_audit_record *r)
{
	const char *exe, *comm, *text;
	size_t el, cl, tl;

	key_of(r, &exe, &el, &comm, &cl, &text, &tl);
	if (e->abi != r->abi || e->syscall != r->syscall || e->action != r->action)
		return false;
	if (!r->abi && (e->has_arch != r->has_arch || e->audit_arch != r->audit_arch))
		return false;
	/* The comm of a group with an executable is only its first one: not part of the key. */
	if (e->exe_len != el || memcmp(e->exe, exe, el) != 0)
		return false;
	if (!el && (e->comm_len != cl || memcmp(e->comm, comm, cl) != 0))
		return false;
	return e->syscall_text_len == tl && memcmp(e->syscall_text, text, tl) == 0;
}

static int grow(struct sf_audit_log *log)
{
	size_t cap = log->cap ? log->cap * 2 : 64;
	struct entry *tab = calloc(cap, sizeof(*tab));
	uint64_t *hashes = calloc(cap, sizeof(*hashes));

	if (!tab || !hashes) {
		free(tab);
		free(hashes);
		return -ENOMEM;
	}
	for (size_t i = 0; i < log->cap; i++) {
		if (!log->hashes[i])
			continue;
		size_t j = (size_t)log->hashes[i] & (cap - 1);
		while (hashes[j])
			j = (j + 1) & (cap - 1);
		hashes[j] = log->hashes[i];
		tab[j] = log->tab[i];
	}
	free(log->tab);
	free(log->hashes);
	log->tab = tab;
	log->hashes = hashes;
	log->cap = cap;
	return 0;
}

static int add_record(struct sf_audit_log *log, const struct sf_audit_record *r)
{
	if ((log->n + 1) * 4 > log->cap * 3 && grow(log) < 0)
		return -ENOMEM;
	uint64_t h = hash_record(r);
	size_t j = (size_t)h & (log->cap - 1);
	while (log->hashes[j]) {
		if (log->hashes[j] == h && same(&log->tab[j], r)) {
			log->tab[j].count++;
			return 0;
		}
		j = (j + 1) & (log->cap - 1);
	}
	/* A new group: its strings are kept (the line they point into is not). */
	const char *exe, *comm, *text;
	size_t el, cl, tl;
	key_of(r, &exe, &el, &comm, &cl, &text, &tl);
	if (r->comm) {
		comm = r->comm;
		cl = r->comm_len;
	}
	const char *tx = r->syscall_text ? r->syscall_text : "";
	size_t txl = r->syscall_text ? r->syscall_text_len : 0;
	struct entry e = {
	    .count = 1,
	    .exe = sf_arena_strndup(log->arena, exe, el),
	    .comm = sf_arena_strndup(log->arena, comm, cl),
	    .syscall_text = sf_arena_strndup(log->arena, tx, txl),
	    .exe_len = el,
	    .comm_len = cl,
	    .syscall_text_len = tl, /* the key's: 0 for a call known by number */
	    .abi = r->abi,
	    .has_arch = r->has_arch,
	    .audit_arch = r->abi ? 0 : r->audit_arch,
	    .syscall = r->syscall,
	    .syscall_name = r->syscall_name,
	    .action = r->action,
	};
	if (!e.exe || !e.comm || !e.syscall_text)
		return -ENOMEM;
	log->tab[j] = e;
	log->hashes[j] = h;
	log->n++;
	log->sorted_valid = false;
	return 0;
}

static void count_gap(struct sf_audit_log *log, const struct sf_audit_event *ev)
{
	log->gaps++;
	switch (ev->gap_kind) {
	case SF_AUDIT_GAP_SUPPRESSED:
		if (ev->gap_has_count)
			log->suppressed += ev->gap_count;
		else
			log->uncounted = true;
		break;
	case SF_AUDIT_GAP_MISSED:
		if (ev->gap_has_count)
			log->missed += ev->gap_count;
		else
			log->uncounted = true;
		break;
	case SF_AUDIT_GAP_LOST_COUNTER:
		/* The first value seen stands for one loss at least; a smaller one is a reboot. */
		if (log->have_lost && ev->gap_count >= log->lost_last) {
			log->lost_last = ev->gap_count;
			break;
		}
		if (log->have_lost)
			log->lost_done += log->lost_last - log->lost_first + 1;
		log->have_lost = true;
		log->lost_first = log->lost_last = ev->gap_count;
		break;
	}
}

int sf_audit_log_next(struct sf_audit_log *log, struct sf_audit_source *src, const char *line,
		      size_t len, size_t *pos, struct sf_audit_event *ev)
{
	if (*pos == 0) {
		log->lines++;
		uint64_t seq;
		size_t off;
		if (src && src->kmsg_seq && sf_audit_kmsg_header(line, len, &seq, &off)) {
			bool jump = src->have_seq && seq > src->last_seq + 1;
			uint64_t lost = jump ? seq - src->last_seq - 1 : 0;
			src->have_seq = true;
			src->last_seq = seq;
			if (jump) {
				/* Reading resumes at the message: the header is not read twice. */
				*pos = off;
				ev->kind = SF_AUDIT_GAP;
				ev->col = 1;
				ev->gap_kind = SF_AUDIT_GAP_MISSED;
				ev->gap_what = "kernel messages overwritten before they were read";
				ev->gap_has_count = true;
				ev->gap_count = lost;
				count_gap(log, ev);
				return SF_AUDIT_GAP;
			}
		}
	}
	switch (sf_audit_parse(line, len, pos, ev)) {
	case SF_AUDIT_NONE:
		return SF_AUDIT_NONE;
	case SF_AUDIT_RECORD:
		if (add_record(log, &ev->rec) < 0) {
			ev->kind = SF_AUDIT_NONE;
			return -ENOMEM;
		}
		log->records++;
		break;
	case SF_AUDIT_MALFORMED:
		log->malformed++;
		break;
	case SF_AUDIT_GAP:
		count_gap(log, ev);
		break;
	}
	return ev->kind;
}

void sf_audit_log_stats(const struct sf_audit_log *log, struct sf_audit_stats *out)
{
	uint64_t lost = log->lost_done;

	if (log->have_lost)
		lost += log->lost_last - log->lost_first + 1;
	*out = (struct sf_audit_stats){
	    .lines = log->lines,
	    .records = log->records,
	    .malformed = log->malformed,
	    .incomplete = log->gaps > 0,
	    .suppressed = log->suppressed + lost,
	    .missed = log->missed,
	    .gaps = log->gaps,
	    .uncounted = log->uncounted,
	};
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_group(const void *x, const void *y)
{
	const struct sf_audit_group *a = x, *b = y;
	int c;

	if ((c = cmp_str(a->exe, b->exe)) != 0)
		return c;
	if ((c = cmp_str(a->comm, b->comm)) != 0)
		return c;
	/* Calls we can name first; the others (unknown arch or number) after. */
	if (!a->syscall_name != !b->syscall_name)
		return a->syscall_name ? -1 : 1;
	if ((c = cmp_str(a->syscall_name ? a->syscall_name : a->syscall_text,
			 b->syscall_name ? b->syscall_name : b->syscall_text)) != 0)
		return c;
	if ((c = cmp_str(a->abi ? a->abi->name : NULL, b->abi ? b->abi->name : NULL)) != 0)
		return c;
	if (a->audit_arch != b->audit_arch)
		return a->audit_arch < b->audit_arch ? -1 : 1;
	if (a->syscall != b->syscall)
		return a->syscall < b->syscall ? -1 : 1;
	if (a->action != b->action)
		return a->action < b->action ? -1 : 1;
	return 0;
}

int sf_audit_log_groups(struct sf_audit_log *log, const struct sf_audit_group **out, size_t *n)
{
	if (!log->sorted_valid) {
		struct sf_audit_group *v = NULL;
		if (log->n) {
			v = realloc(log->sorted, log->n * sizeof(*v));
			if (!v)
				return -ENOMEM;
		}
		size_t k = 0;
		for (size_t i = 0; i < log->cap; i++) {
			const struct entry *e = &log->tab[i];
			if (!log->hashes[i])
				continue;
			v[k++] = (struct sf_audit_group){
			    .exe = e->exe,
			    .comm = e->comm,
			    .abi = e->abi,
			    .has_arch = e->has_arch,
			    .audit_arch = e->audit_arch,
			    .syscall = e->syscall,
			    .syscall_name = e->syscall_name,
			    .syscall_text = e->syscall_text,
			    .action = e->action,
			    .count = e->count,
			};
		}
		if (k > 1)
			qsort(v, k, sizeof(*v), cmp_group);
		log->sorted = v;
		log->nsorted = k;
		log->sorted_valid = true;
	}
	*out = log->sorted;
	*n = log->nsorted;
	return 0;
}
