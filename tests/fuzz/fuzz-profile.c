/* libFuzzer target: the profile reader and checker on any bytes, as JSON and as YAML; a profile
 * that reads cleanly must write and read back to the same canonical bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sysfence/sysfence.h>

static void one(const uint8_t *data, size_t size, enum sf_doc_format fmt)
{
	struct sf_findings f;
	struct sf_profile *p = NULL, *q = NULL, *r = NULL;
	struct sf_error err = { 0 };
	struct sf_buf a = { 0 }, b = { 0 };

	sf_findings_init(&f, "fuzz");
	int rc = sf_profile_parse("fuzz", (const char *)data, size, fmt, &f, &p, &err);
	if (p) {
		sf_profile_check(p, 0, &f);
		struct sf_target t = { .arch = "x86_64", .kernel_major = 6, .kernel_minor = 1 };
		if (rc == 0 && sf_profile_resolve(p, &t, &r, &err) == 0)
			sf_profile_free(r);
	}
	if (rc == 0 && f.nerrors == 0) {
		if (sf_profile_write(p, SF_OUT_JSON, &a, &err) != 0)
			abort();
		if (sf_profile_parse("again", a.data, a.len, SF_DOC_JSON, NULL, &q, &err) != 0)
			abort();
		if (sf_profile_write(q, SF_OUT_JSON, &b, &err) != 0)
			abort();
		if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
			abort();
	}
	sf_buf_free(&a);
	sf_buf_free(&b);
	sf_profile_free(q);
	sf_profile_free(p);
	sf_findings_clear(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(data, size, SF_DOC_JSON);
	one(data, size, SF_DOC_YAML);
	return 0;
}
