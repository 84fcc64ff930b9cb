/* libFuzzer target: the audit record parser on any bytes, line by line and as one line, through
 * the log, every output and the profile; each JSON object written must read back as JSON, and
 * each call must move forward on the line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sysfence/audit.h>
#include <sysfence/doc.h>
#include <sysfence/profile.h>

static struct sf_audit_event ev;

static void check_json(const struct sf_buf *b)
{
	struct sf_doc *doc = NULL;
	struct sf_error err = {0};

	if (!b->len)
		return;
	if (sf_doc_parse("fuzz", b->data, b->len, SF_DOC_JSON, 0, &doc, &err) != 0)
		abort();
	sf_doc_free(doc);
}

static void feed(struct sf_audit_log *log, struct sf_audit_source *src, const char *line,
		 size_t len)
{
	size_t pos = 0;

	for (;;) {
		size_t before = pos;
		int k = sf_audit_log_next(log, src, line, len, &pos, &ev);
		if (k < 0)
			abort();
		if (k == SF_AUDIT_NONE)
			break;
		if (pos <= before && !(before == 0 && k == SF_AUDIT_GAP))
			abort(); /* no progress: a loop */
		if (pos > len)
			abort();
		struct sf_buf t = {0}, j = {0};
		sf_audit_write_event(&ev, SF_AUDIT_OUT_TEXT, "f", 1, &t);
		sf_audit_write_event(&ev, SF_AUDIT_OUT_JSON, "f", 1, &j);
		check_json(&j);
		sf_buf_free(&t);
		sf_buf_free(&j);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sf_audit_log *log = sf_audit_log_new();
	struct sf_audit_source src = {.kmsg_seq = size && data[0] & 1};
	const char *p = (const char *)data, *end = p + size;
	struct sf_buf b = {0};
	struct sf_profile *prof = NULL;
	struct sf_error err = {0};

	if (!log)
		return 0;
	/* Each line in a buffer of its own size, so that any read past it is caught. */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = malloc(n ? n : 1);
		if (!line)
			break;
		memcpy(line, p, n);
		feed(log, &src, line, n);
		free(line);
		p += n + 1;
	}
	feed(log, NULL, (const char *)data, size);

	if (sf_audit_write_summary(log, SF_AUDIT_OUT_TEXT, &b) != 0)
		abort();
	b.len = 0;
	if (sf_audit_write_summary(log, SF_AUDIT_OUT_JSON, &b) != 0)
		abort();
	check_json(&b);
	b.len = 0;
	if (sf_audit_log_profile(log, &prof, &err) != 0 ||
	    sf_profile_write(prof, SF_OUT_JSON, &b, &err) != 0)
		abort();
	/* The profile reads back without error. */
	struct sf_findings f;
	struct sf_profile *q = NULL;
	sf_findings_init(&f, "fuzz");
	if (sf_profile_parse("fuzz", b.data, b.len, SF_DOC_JSON, &f, &q, &err) != 0 || f.nerrors)
		abort();
	sf_findings_clear(&f);
	sf_profile_free(q);
	sf_profile_free(prof);
	sf_buf_free(&b);
	sf_audit_log_free(log);
	return 0;
}
