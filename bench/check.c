/*
 * bench/check: time to read and check Docker's default profile (target: under 1 ms), and the
 * peak memory of reading and checking a 100,000-rule profile (target: under 10x its size).
 * The memory run happens in a fresh process (this program re-executed), so that its peak is
 * the reader's alone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sysfence/sysfence.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long status_kb(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;
	size_t n = strlen(key);
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, key, n) == 0)
			v = strtol(line + n + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

static int read_and_check(const char *data, size_t len)
{
	struct sf_findings f;
	struct sf_profile *p = NULL;
	struct sf_error err = { 0 };
	sf_findings_init(&f, "bench");
	int r = sf_profile_parse("bench", data, len, SF_DOC_JSON, &f, &p, &err);
	if (p)
		sf_profile_check(p, 0, &f);
	sf_profile_free(p);
	sf_findings_clear(&f);
	return r;
}

/* Child mode: read and check one file, print the peak RSS it added, in KiB. */
static int measure(const char *path)
{
	char *data;
	size_t len;
	struct sf_error err = { 0 };
	if (sf_read_file(path, &data, &len, &err) < 0)
		return 2;
	long before = status_kb("VmRSS:");
	int r = read_and_check(data, len);
	long peak = status_kb("VmHWM:");
	printf("%ld %zu %d\n", peak - before, len, r);
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	const char *shared = getenv("SYSFENCE_SHARED");
	char path[4096], big[] = "/tmp/sysfence-bench-XXXXXX";
	char *data;
	size_t len;
	struct sf_error err = { 0 };

	if (argc == 3 && strcmp(argv[1], "--measure") == 0)
		return measure(argv[2]);

	snprintf(path, sizeof(path), "%s/corpus/profiles/docker-default.json",
		 shared ? shared : "../shared");
	if (sf_read_file(path, &data, &len, &err) == 0) {
		int n = 2000;
		read_and_check(data, len);
		double t0 = now();
		for (int i = 0; i < n; i++)
			read_and_check(data, len);
		double per = (now() - t0) / n;
		printf("check docker-default.json (%zu bytes): %.3f ms per read+check "
		       "(target < 1 ms: %.2fx of the budget)\n",
		       len, per * 1e3, per / 1e-3);
		free(data);
	} else {
		printf("check docker-default.json: skipped (%s)\n", err.msg);
	}

	/* 100,000 rules, written as a user would. */
	int fd = mkstemp(big);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f)
		return 2;
	fprintf(f, "{\n\t\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\t\"architectures\": "
		   "[\"SCMP_ARCH_X86_64\"],\n\t\"syscalls\": [\n");
	for (int i = 0; i < 100000; i++)
		fprintf(f, "\t\t{ \"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", "
			   "\"args\": [{ \"index\": 0, \"value\": %d, \"op\": \"SCMP_CMP_EQ\" }] }%s\n",
			i, i < 99999 ? "," : "");
	fprintf(f, "\t]\n}\n");
	fclose(f);
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "'%s' --measure '%s'", argv[0], big);
	FILE *pf = popen(cmd, "r");
	long kb = 0;
	size_t bytes = 0;
	int rc = -1;
	if (!pf || fscanf(pf, "%ld %zu %d", &kb, &bytes, &rc) != 3) {
		fprintf(stderr, "bench/check: measuring child failed\n");
		unlink(big);
		return 2;
	}
	pclose(pf);
	unlink(big);
	printf("check 100,000-rule profile (%zu bytes): peak memory %.1f MiB = %.2fx the file "
	       "(target < 10x)\n",
	       bytes, (double)kb / 1024, (double)kb * 1024 / (double)bytes);
	return rc == 0 ? 0 : 1;
}
