/*
 * Output of what was read: one line a record (text for people, a JSON object with stable keys
 * for machines), the diagnostics of malformed lines and gaps, and the summary.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sysfence/audit.h>

#include "util/util.h"

/* Text for a terminal: control bytes and backslashes escaped, everything else as it is. */
static void put_text(struct sf_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != 0x7f && c != '\\')
			continue;
		sf_buf_put(b, s + run, i - run);
		char esc[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
		sf_buf_put(b, esc, 4);
		run = i + 1;
	}
	sf_buf_put(b, s + run, n - run);
}

static void put_json_str(struct sf_buf *b, const char *key, const char *s, size_t n, bool comma)
{
	sf_buf_printf(b, "%s\"%s\":", comma ? "," : "", key);
	if (s)
		sf_json_put_string(b, s, n);
	else
		sf_buf_puts(b, "null");
}

static void put_json_cstr(struct sf_buf *b, const char *key, const char *s)
{
	put_json_str(b, key, s, s ? strlen(s) : 0, true);
}

/* "2023-11-14T22:13:20.123Z" for the kernel's time; ausearch -i's local time as written. */
static void put_time(struct sf_buf *b, const struct sf_audit_record *r, bool json)
{
	if (r->has_epoch) {
		struct tm tm;
		time_t t = (time_t)r->sec;
		char s[64];
		if (gmtime_r(&t, &tm) && strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm)) {
			sf_buf_printf(b, json ? "\"%s.%03uZ\"" : "%s.%03uZ", s, r->msec);
			return;
		}
	}
	if (r->time_len) {
		if (json)
			sf_json_put_string(b, r->time, r->time_len);
		else
			put_text(b, r->time, r->time_len);
		return;
	}
	sf_buf_puts(b, json ? "null" : "-");
}

static const char *abi_name(const struct sf_audit_record *r)
{
	return r->abi ? r->abi->name : NULL;
}

static void write_record_text(const struct sf_audit_record *r, struct sf_buf *b)
{
	put_time(b, r, false);
	sf_buf_putc(b, ' ');
	if (r->comm)
		put_text(b, r->comm, r->comm_len);
	else
		sf_buf_puts(b, "?");
	if (r->pid >= 0)
		sf_buf_printf(b, "[%lld]", r->pid);
	if (r->exe) {
		sf_buf_puts(b, " (");
		put_text(b, r->exe, r->exe_len);
		sf_buf_putc(b, ')');
	}
	sf_buf_puts(b, ": ");
	if (r->syscall_name) {
		sf_buf_puts(b, r->syscall_name);
	} else {
		sf_buf_puts(b, "syscall ");
		put_text(b, r->syscall_text ? r->syscall_text : "?", r->syscall_text_len);
	}
	sf_buf_puts(b, " (");
	if (r->abi)
		sf_buf_puts(b, r->abi->name);
	else if (r->has_arch)
		sf_buf_printf(b, "arch 0x%" PRIx32, r->audit_arch);
	else
		sf_buf_puts(b, "unknown arch");
	if (r->syscall >= 0)
		sf_buf_printf(b, " %ld", r->syscall);
	sf_buf_printf(b, "): %s", sf_audit_action_name(r->action));
	if (r->action == SF_AUDIT_ACT_UNKNOWN && r->has_code)
		sf_buf_printf(b, "(code 0x%" PRIx32 ")", r->code);
	const char *sig = sf_audit_signal_name(r);
	if (sig)
		sf_buf_printf(b, ", %s", sig);
	else if (r->sig > 0)
		sf_buf_printf(b, ", signal %d", r->sig);
	sf_buf_putc(b, '\n');
}

static void write_record_json(const struct sf_audit_record *r, struct sf_buf *b)
{
	sf_buf_puts(b, ",\"form\":");
	sf_json_put_string(b, sf_audit_form_name(r->form), strlen(sf_audit_form_name(r->form)));
	sf_buf_puts(b, ",\"time\":");
	put_time(b, r, true);
	if (r->has_epoch)
		sf_buf_printf(b, ",\"epoch\":%" PRId64 ".%03u", r->sec, r->msec);
	else
		sf_buf_puts(b, ",\"epoch\":null");
	if (r->has_serial)
		sf_buf_printf(b, ",\"serial\":%" PRIu64, r->serial);
	else
		sf_buf_puts(b, ",\"serial\":null");
	if (r->pid >= 0)
		sf_buf_printf(b, ",\"pid\":%lld", r->pid);
	else
		sf_buf_puts(b, ",\"pid\":null");
	put_json_str(b, "comm", r->comm, r->comm_len, true);
	put_json_str(b, "exe", r->exe, r->exe_len, true);
	put_json_cstr(b, "abi", abi_name(r));
	if (r->has_arch)
		sf_buf_printf(b, ",\"arch\":\"0x%" PRIx32 "\"", r->audit_arch);
	else
		sf_buf_puts(b, ",\"arch\":null");
	if (r->syscall_name)
		put_json_cstr(b, "syscall", r->syscall_name);
	else
		put_json_str(b, "syscall", NULL, 0, true);
	put_json_str(b, "syscall_text", r->syscall_text, r->syscall_text_len, true);
	if (r->syscall >= 0)
		sf_buf_printf(b, ",\"syscall_nr\":%ld", r->syscall);
	else
		sf_buf_puts(b, ",\"syscall_nr\":null");
	if (r->compat >= 0)
		sf_buf_printf(b, ",\"compat\":%s", r->compat ? "true" : "false");
	else
		sf_buf_puts(b, ",\"compat\":null");
	put_json_cstr(b, "action", sf_audit_action_name(r->action));
	if (r->has_code)
		sf_buf_printf(b, ",\"code\":\"0x%" PRIx32 "\"", r->code);
	else
		sf_buf_puts(b, ",\"code\":null");
	put_json_cstr(b, "signal", sf_audit_signal_name(r));
	if (r->sig >= 0)
		sf_buf_printf(b, ",\"signal_nr\":%d", r->sig);
	else
		sf_buf_puts(b, ",\"signal_nr\":null");
	if (r->has_ip)
		sf_buf_printf(b, ",\"ip\":\"0x%" PRIx64 "\"", r->ip);
	else
		sf_buf_puts(b, ",\"ip\":null");
}

static const char *gap_kind_name(enum sf_audit_gap_kind k)
{
	switch (k) {
	case SF_AUDIT_GAP_SUPPRESSED:
		return "suppressed";
	case SF_AUDIT_GAP_LOST_COUNTER:
		return "audit_lost";
	case SF_AUDIT_GAP_MISSED:
		return "missed";
	}
	return "unknown";
}

static void put_where(struct sf_buf *b, const char *file, uint64_t line, size_t col)
{
	sf_buf_puts(b, file ? file : "<input>");
	if (line)
		sf_buf_printf(b, ":%" PRIu64 ":%zu", line, col);
	sf_buf_puts(b, ": ");
}

void sf_audit_write_event(const struct sf_audit_event *ev, enum sf_audit_out fmt, const char *file,
			  uint64_t line, struct sf_buf *out)
{
	static const char *const types[] = {
	    [SF_AUDIT_NONE] = "none",
	    [SF_AUDIT_RECORD] = "record",
	    [SF_AUDIT_MALFORMED] = "malformed",
	    [SF_AUDIT_GAP] = "gap",
	};

	if (ev->kind == SF_AUDIT_NONE)
		return;
	if (fmt == SF_AUDIT_OUT_TEXT) {
		switch (ev->kind) {
		case SF_AUDIT_RECORD:
			write_record_text(&ev->rec, out);
			break;
		case SF_AUDIT_MALFORMED:
			put_where(out, file, line, ev->col);
			sf_buf_printf(out, "warning: malformed seccomp record: %s\n", ev->reason);
			break;
		case SF_AUDIT_GAP:
			put_where(out, file, line, ev->col);
			if (ev->gap_kind == SF_AUDIT_GAP_LOST_COUNTER)
				sf_buf_printf(out,
					      "warning: log incomplete: the kernel's audit_lost "
					      "count is %" PRIu64 "\n",
					      ev->gap_count);
			else if (ev->gap_has_count)
				sf_buf_printf(out, "warning: log incomplete: %s: %" PRIu64 "\n",
					      ev->gap_what, ev->gap_count);
			else
				sf_buf_printf(out, "warning: log incomplete: %s\n", ev->gap_what);
			break;
		default:
			break;
		}
		return;
	}
	sf_buf_printf(out, "{\"type\":\"%s\"", types[ev->kind]);
	put_json_cstr(out, "file", file);
	if (line)
		sf_buf_printf(out, ",\"line\":%" PRIu64 ",\"column\":%zu", line, ev->col);
	else
		sf_buf_puts(out, ",\"line\":null,\"column\":null");
	switch (ev->kind) {
	case SF_AUDIT_RECORD:
		write_record_json(&ev->rec, out);
		break;
	case SF_AUDIT_MALFORMED:
		put_json_cstr(out, "reason", ev->reason);
		break;
	case SF_AUDIT_GAP:
		put_json_cstr(out, "kind", gap_kind_name(ev->gap_kind));
		put_json_cstr(out, "what", ev->gap_what);
		if (ev->gap_has_count)
			sf_buf_printf(out, ",\"count\":%" PRIu64, ev->gap_count);
		else
			sf_buf_puts(out, ",\"count\":null");
		break;
	default:
		break;
	}
	sf_buf_puts(out, "}\n");
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void sf_audit_write_summary_line(const struct sf_audit_stats *st, struct sf_buf *out)
{
	sf_buf_printf(out, "sysfence: %" PRIu64 " %s, %" PRIu64 " malformed %s", st->records,
		      plural(st->records, "record", "records"), st->malformed,
		      plural(st->malformed, "line", "lines"));
	if (st->incomplete) {
		sf_buf_puts(out, ", log incomplete: ");
		if (st->suppressed)
			sf_buf_printf(out, "%" PRIu64 " %s suppressed", st->suppressed,
				      plural(st->suppressed, "record", "records"));
		if (st->missed)
			sf_buf_printf(out, "%s%" PRIu64 " log %s missed",
				      st->suppressed ? ", " : "", st->missed,
				      plural(st->missed, "message", "messages"));
		if (!st->suppressed && !st->missed)
			sf_buf_puts(out, "records were lost, how many is not known");
		else if (st->uncounted)
			sf_buf_puts(out, ", and more not counted");
	}
	sf_buf_putc(out, '\n');
}

static const char *group_syscall(const struct sf_audit_group *g)
{
	return g->syscall_name ? g->syscall_name : g->syscall_text;
}

static void write_summary_text(const struct sf_audit_group *g, size_t n,
			       const struct sf_audit_stats *st, struct sf_buf *b)
{
	for (size_t i = 0; i < n; i++) {
		bool head = i == 0 || strcmp(g[i].exe, g[i - 1].exe) != 0 ||
			    (!g[i].exe[0] && strcmp(g[i].comm, g[i - 1].comm) != 0);
		if (head) {
			if (g[i].exe[0]) {
				put_text(b, g[i].exe, strlen(g[i].exe));
				if (g[i].comm[0]) {
					sf_buf_puts(b, " (");
					put_text(b, g[i].comm, strlen(g[i].comm));
					sf_buf_putc(b, ')');
				}
			} else {
				sf_buf_puts(b, "(no exe) ");
				put_text(b, g[i].comm, strlen(g[i].comm));
			}
			sf_buf_putc(b, '\n');
		}
		char abi[32];
		if (g[i].abi)
			snprintf(abi, sizeof(abi), "%s", g[i].abi->name);
		else if (g[i].has_arch)
			snprintf(abi, sizeof(abi), "0x%" PRIx32, g[i].audit_arch);
		else
			snprintf(abi, sizeof(abi), "?");
		sf_buf_printf(b, "%8" PRIu64 "  ", g[i].count);
		const char *name = group_syscall(&g[i]);
		size_t nl = strlen(name);
		if (!g[i].syscall_name) {
			sf_buf_puts(b, "syscall ");
			nl += 8;
		}
		put_text(b, name, strlen(name));
		for (size_t k = nl; k < 20; k++)
			sf_buf_putc(b, ' ');
		sf_buf_printf(b, " %-8s %s\n", abi, sf_audit_action_name(g[i].action));
	}
	sf_audit_write_summary_line(st, b);
}

static void write_summary_json(const struct sf_audit_group *g, size_t n,
			       const struct sf_audit_stats *st, struct sf_buf *b)
{
	sf_buf_printf(b,
		      "{\"type\":\"summary\",\"lines\":%" PRIu64 ",\"records\":%" PRIu64
		      ",\"malformed\":%" PRIu64 ",\"incomplete\":%s,\"suppressed\":%" PRIu64
		      ",\"missed\":%" PRIu64 ",\"gaps\":%" PRIu64 ",\"uncounted\":%s,\"groups\":[",
		      st->lines, st->records, st->malformed, st->incomplete ? "true" : "false",
		      st->suppressed, st->missed, st->gaps, st->uncounted ? "true" : "false");
	for (size_t i = 0; i < n; i++) {
		sf_buf_puts(b, i ? ",{" : "{");
		put_json_str(b, "exe", g[i].exe[0] ? g[i].exe : NULL, strlen(g[i].exe), false);
		put_json_str(b, "comm", g[i].comm[0] ? g[i].comm : NULL, strlen(g[i].comm), true);
		put_json_cstr(b, "abi", g[i].abi ? g[i].abi->name : NULL);
		if (g[i].has_arch && !g[i].abi)
			sf_buf_printf(b, ",\"arch\":\"0x%" PRIx32 "\"", g[i].audit_arch);
		else
			sf_buf_puts(b, ",\"arch\":null");
		put_json_cstr(b, "syscall", g[i].syscall_name);
		put_json_cstr(b, "syscall_text", g[i].syscall_text);
		if (g[i].syscall >= 0)
			sf_buf_printf(b, ",\"syscall_nr\":%ld", g[i].syscall);
		else
			sf_buf_puts(b, ",\"syscall_nr\":null");
		put_json_cstr(b, "action", sf_audit_action_name(g[i].action));
		sf_buf_printf(b, ",\"count\":%" PRIu64 "}", g[i].count);
	}
	sf_buf_puts(b, "]}\n");
}

int sf_audit_write_summary(struct sf_audit_log *log, enum sf_audit_out fmt, struct sf_buf *out)
{
	const struct sf_audit_group *g;
	size_t n;
	struct sf_audit_stats st;
	int r = sf_audit_log_groups(log, &g, &n);

	if (r < 0)
		return r;
	sf_audit_log_stats(log, &st);
	if (fmt == SF_AUDIT_OUT_JSON)
		write_summary_json(g, n, &st, out);
	else
		write_summary_text(g, n, &st, out);
	return out->oom ? -ENOMEM : 0;
}
