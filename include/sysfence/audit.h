/*
 * sysfence — seccomp audit records as they reach users: the kernel log (dmesg, /dev/kmsg,
 * syslog, journalctl -k), auditd's audit.log, ausearch's raw and interpreted output, and
 * journald's audit transport; decoded into events, gathered into a summary, turned into a profile.
 */
#ifndef SYSFENCE_AUDIT_H
#define SYSFENCE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sysfence/arch.h>
#include <sysfence/doc.h>
#include <sysfence/error.h>
#include <sysfence/profile.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The action class of a record (code= & SECCOMP_RET_ACTION_FULL). The kernel logs the action
 * without its data: ERRNO(13) is logged as ERRNO, and the errno cannot be recovered.
 */
enum sf_audit_action {
	SF_AUDIT_ACT_UNKNOWN = 0,
	SF_AUDIT_ACT_KILL_PROCESS,
	SF_AUDIT_ACT_KILL_THREAD,
	SF_AUDIT_ACT_KILL, /* ausearch -i's "kill": process or thread, it does not tell them apart
			    */
	SF_AUDIT_ACT_TRAP,
	SF_AUDIT_ACT_ERRNO,
	SF_AUDIT_ACT_USER_NOTIF,
	SF_AUDIT_ACT_TRACE,
	SF_AUDIT_ACT_LOG,
	SF_AUDIT_ACT_ALLOW, /* never logged by the kernel; read when a log says it */
};

/* "KILL_PROCESS", "ERRNO", ...; "UNKNOWN" for SF_AUDIT_ACT_UNKNOWN. */
const char *sf_audit_action_name(enum sf_audit_action a);
/* The class of a code= value (its data bits are ignored). */
enum sf_audit_action sf_audit_action_from_code(uint32_t code);

/* Where a record came from, by its shape. */
enum sf_audit_form {
	SF_AUDIT_FORM_PRINTK, /* "audit: type=1326 audit(T:S): ..." (dmesg, kmsg, syslog, journal)
			       */
	SF_AUDIT_FORM_AUDITD, /* "type=SECCOMP msg=audit(T:S): ..." (audit.log, ausearch raw) */
	SF_AUDIT_FORM_INTERPRETED, /* "type=SECCOMP msg=audit(DATE TIME:S) : ..." (ausearch -i) */
	SF_AUDIT_FORM_JOURNAL,	   /* "audit[PID]: SECCOMP auid=..." (journald's audit transport) */
};
const char *sf_audit_form_name(enum sf_audit_form f); /* "printk", "auditd", ... */

/*
 * One decoded record. Strings are not NUL-terminated: they point into the line, or (hex-encoded
 * values) into the record's own buffers, so a record is used in place, never copied.
 */
struct sf_audit_record {
	enum sf_audit_form form;
	const char
	    *time; /* inside audit(...), as written: "1700000000.123", "11/23/2026 05:09:09.123" */
	size_t time_len; /* 0 when the form has none (journal) */
	bool has_epoch;	 /* time is seconds since the epoch (not ausearch -i's local time) */
	int64_t sec;
	unsigned msec;
	uint64_t serial;
	bool has_serial;
	long long pid;		/* -1 when not given */
	const char *comm, *exe; /* decoded; NULL when not given */
	size_t comm_len, exe_len;
	bool has_arch;		   /* arch= was a number (AUDIT_ARCH_*) */
	uint32_t audit_arch;	   /* when has_arch */
	const struct sf_arch *abi; /* the ABI of the call (x32 told apart), or NULL when unknown */
	long syscall;		   /* the kernel's number (offset included), or -1 when unknown */
	const char *syscall_name;  /* our table's name for it (NUL-terminated, static), or NULL */
	const char *syscall_text;  /* syscall= as written */
	size_t syscall_text_len;
	bool has_code; /* code= was a number (not ausearch -i's name) */
	uint32_t code;
	enum sf_audit_action action;
	int sig;    /* the signal sent (31 = SIGSYS on most arches), 0 none, -1 unknown */
	int compat; /* compat=: 0, 1, or -1 when not given */
	bool has_ip;
	uint64_t ip;
	char comm_buf[64];
	char exe_buf[4096];
};

/* The signal's name for the record's ABI ("SIGSYS"), or NULL. */
const char *sf_audit_signal_name(const struct sf_audit_record *rec);

/* What the log says about lost records. */
enum sf_audit_gap_kind {
	SF_AUDIT_GAP_SUPPRESSED,   /* the kernel dropped audit records (count when the log says) */
	SF_AUDIT_GAP_LOST_COUNTER, /* audit_lost=N: the kernel's running count since boot */
	SF_AUDIT_GAP_MISSED,	   /* log messages of any kind lost on the way (journald, rsyslog,
				    * /dev/kmsg overrun) */
};

enum sf_audit_kind {
	SF_AUDIT_NONE,	    /* nothing (more) of interest on the line */
	SF_AUDIT_RECORD,    /* a seccomp record: rec */
	SF_AUDIT_MALFORMED, /* a seccomp record that cannot be read (truncated, garbled): reason */
	SF_AUDIT_GAP,	    /* a sign that records were lost: gap_* */
};

struct sf_audit_event {
	enum sf_audit_kind kind;
	size_t col;	    /* 1-based column where the record or the marker starts */
	const char *reason; /* MALFORMED: why, a constant string */
	enum sf_audit_gap_kind gap_kind;
	const char *gap_what; /* GAP: what the log says, a constant string */
	bool gap_has_count;
	uint64_t gap_count;
	struct sf_audit_record rec;
};

/*
 * The next event of a line from *pos (start at 0); *pos moves past it. A line may hold several
 * (a truncated record run into the next one). Returns SF_AUDIT_NONE when there is no more.
 * A /dev/kmsg prefix ("6,1234,5678901,-;") is skipped. Never allocates; the line need not be
 * NUL-terminated and may hold any bytes.
 */
enum sf_audit_kind sf_audit_parse(const char *line, size_t len, size_t *pos,
				  struct sf_audit_event *ev);

/* A /dev/kmsg record's header "PRI,SEQ,USEC,FLAGS[,...];": its sequence number and the offset
 * of the message. False when the line does not start with one. */
bool sf_audit_kmsg_header(const char *line, size_t len, uint64_t *seq, size_t *msg_off);

/* Counts over everything read. */
struct sf_audit_stats {
	uint64_t lines, records, malformed;
	bool incomplete;     /* the log shows that records were lost */
	uint64_t suppressed; /* audit records the kernel said it dropped (a lower bound) */
	uint64_t missed;     /* log messages of any kind lost on the way (a lower bound) */
	uint64_t gaps;	     /* markers of loss seen */
	bool uncounted;	     /* some marker gave no count: the totals are lower bounds */
};

/* Records grouped by executable, ABI, syscall and action. */
struct sf_audit_group {
	const char *exe;	   /* NUL-terminated; "" when the records gave none */
	const char *comm;	   /* the first comm seen, or "" */
	const struct sf_arch *abi; /* or NULL */
	bool has_arch;
	uint32_t audit_arch;
	long syscall;		  /* or -1 */
	const char *syscall_name; /* or NULL */
	const char *syscall_text; /* as written (NUL-terminated) */
	enum sf_audit_action action;
	uint64_t count;
};

/* Where lines come from: one per input, zeroed at its start (the log keeps no state of it). */
struct sf_audit_source {
	bool kmsg_seq; /* the /dev/kmsg device read whole: a jump in sequence numbers is an
			* overrun (not for saved or filtered copies, where lines were left out) */
	bool have_seq;
	uint64_t last_seq;
};

struct sf_audit_log;
struct sf_audit_log *sf_audit_log_new(void);
void sf_audit_log_free(struct sf_audit_log *log);
static inline void sf_audit_log_freep(struct sf_audit_log **log)
{
	sf_audit_log_free(*log);
}

/*
 * sf_audit_parse, counted: records into the groups and stats, malformed lines and gaps into the
 * stats. src may be NULL. Call with *pos = 0 for each new line, then again until it returns
 * SF_AUDIT_NONE. Returns the event's kind, or -ENOMEM when a new group cannot be stored.
 */
int sf_audit_log_next(struct sf_audit_log *log, struct sf_audit_source *src, const char *line,
		      size_t len, size_t *pos, struct sf_audit_event *ev);
void sf_audit_log_stats(const struct sf_audit_log *log, struct sf_audit_stats *out);
/* The groups, sorted by executable, syscall name, ABI and action; valid until the next call
 * that changes the log. */
int sf_audit_log_groups(struct sf_audit_log *log, const struct sf_audit_group **out, size_t *n);

/* Output: one record a line (text with '\n', or a JSON object with '\n'), and the summary. */
enum sf_audit_out {
	SF_AUDIT_OUT_TEXT,
	SF_AUDIT_OUT_JSON,
};
/* file and line say where the record was read (file may be NULL, line 0). */
void sf_audit_write_event(const struct sf_audit_event *ev, enum sf_audit_out fmt, const char *file,
			  uint64_t line, struct sf_buf *out);
/* The summary line ("sysfence: 12 records, 2 malformed lines, log incomplete: ..."). */
void sf_audit_write_summary_line(const struct sf_audit_stats *st, struct sf_buf *out);
/* The summary: groups and the summary line (text), or one JSON object. */
int sf_audit_write_summary(struct sf_audit_log *log, enum sf_audit_out fmt, struct sf_buf *out);

/*
 * The allowlist that allows what the log shows: defaultAction SCMP_ACT_ERRNO (EPERM), the ABIs
 * seen as architectures, one SCMP_ACT_ALLOW rule with every syscall named, sorted. Records whose
 * syscall or ABI cannot be named are left out (the groups say which).
 */
int sf_audit_log_profile(struct sf_audit_log *log, struct sf_profile **out, struct sf_error *err);

struct sf_audit_merge_result {
	size_t added;	/* names added to an ALLOW rule */
	size_t present; /* names the profile already allows without condition */
	size_t left;	/* names other rules decide: left as they are (a finding each) */
	size_t arches_added;
};
/*
 * Add what the log shows to p: each syscall seen is added to the first plain SCMP_ACT_ALLOW rule
 * (no args, includes or excludes), or to a new one; names another rule decides (a deny, or an
 * ALLOW under conditions) are left as they are, with a warning in findings (may be NULL); ABIs
 * seen are added to architectures when the profile lists some.
 */
int sf_audit_log_merge(struct sf_audit_log *log, struct sf_profile *p, struct sf_findings *findings,
		       struct sf_audit_merge_result *res, struct sf_error *err);

#ifdef __cplusplus
}
#endif
#endif
