/*
 * lib/bpf: validate, emulate, disassemble, raw format. The kernel is the oracle: random programs
 * are loaded with seccomp(2) in children and run on real syscalls, and must agree with
 * sf_bpf_validate and sf_bpf_emulate; libseccomp's filters must mean what their rules say.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/audit.h>
#include <seccomp.h>

#include <sysfence/sysfence.h>

#define ST(code, k)	    ((struct sock_filter){(uint16_t)(code), 0, 0, (k)})
#define JP(code, k, jt, jf) ((struct sock_filter){(uint16_t)(code), (jt), (jf), (k)})
#define NINSNS(a)	    (sizeof(a) / sizeof((a)[0]))

/* The random programs are seeded: SF_TEST_SEED=N replays another run. */
static uint64_t test_seed(void)
{
	const char *s = getenv("SF_TEST_SEED");
	return s ? strtoull(s, NULL, 0) : 0x5eccf11e75eedULL;
}

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(rnd(s) % n);
}

/* ---------------------------------------------------------------------------------------------
 * Children that load a filter and run syscalls under it. Once the filter is in, the child makes
 * no syscall but the ones under test: it reports through shared memory and ends with a trap
 * instruction (SIGILL), which needs no syscall and which no filter can turn into anything else.
 */

#define NSLOTS 3

/*
 * The end of a child: an undefined instruction, so SIGILL. Not __builtin_trap(): the sanitizers
 * precede calls that do not return with bookkeeping that makes syscalls, which the filter under
 * test may refuse.
 */
#if defined(__x86_64__) || defined(__i386__)
#define CHILD_DIE()                                                                                \
	do {                                                                                       \
		for (;;)                                                                           \
			__asm__ volatile("ud2");                                                   \
	} while (0)
#elif defined(__aarch64__)
#define CHILD_DIE()                                                                                \
	do {                                                                                       \
		for (;;)                                                                           \
			__asm__ volatile("udf #0");                                                \
	} while (0)
#else
#define CHILD_DIE() __builtin_trap()
#endif

struct shared {
	volatile int loaded;	   /* seccomp() returned */
	volatile int load_errno;   /* its errno, 0 on success */
	volatile int slot;	   /* the syscall being made */
	volatile int done[NSLOTS]; /* it returned */
	volatile long ret[NSLOTS]; /* what it returned (raw, -errno on failure) */
	volatile int trapped;	   /* SIGSYS handler ran */
	volatile int trap_slot;
	volatile int trap_errno; /* si_errno: the TRAP's data */
	volatile int trap_syscall;
};

/* The signal handler needs it: tests may have globals, the library may not. */
static struct shared *g_shared;

static struct shared *shared_map(void)
{
	void *p = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	return p;
}

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	g_shared->trap_slot = g_shared->slot;
	g_shared->trap_errno = si->si_errno;
	g_shared->trap_syscall = si->si_syscall;
	g_shared->trapped = 1;
	CHILD_DIE();
}

static void child_prepare(bool catch_sigsys)
{
	static const int sigs[] = {SIGILL, SIGSEGV, SIGBUS, SIGFPE, SIGABRT, SIGSYS};
	struct sigaction sa = {0};
	struct rlimit nocore = {0, 0};
	sigset_t none;

	/* cmocka catches these in the test process: the child must die of them instead. */
	sa.sa_handler = SIG_DFL;
	for (size_t i = 0; i < NINSNS(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
	if (catch_sigsys) {
		sa.sa_handler = NULL;
		sa.sa_sigaction = on_sigsys;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGSYS, &sa, NULL);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Killed children must not write core files. */
	setrlimit(RLIMIT_CORE, &nocore);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

static long load_filter(const struct sock_filter *insns, size_t len)
{
	struct sock_fprog fp = {.len = (unsigned short)len, .filter = (struct sock_filter *)insns};
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp);
}

/* The kernel's verdict on a program: 0 when it loads, else the errno of seccomp(2). */
static int kernel_verdict(struct shared *sh, const struct sock_filter *insns, size_t len)
{
	int status;
	pid_t pid;

	memset((void *)sh, 0, sizeof(*sh));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		child_prepare(false);
		long r = load_filter(insns, len);
		sh->load_errno = r < 0 ? errno : 0;
		sh->loaded = 1;
		CHILD_DIE();
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(sh->loaded);
	return sh->load_errno;
}

/* seccomp(2) filters can be loaded here (the kernel has them, nothing outside forbids them). */
static bool have_seccomp(struct shared *sh)
{
	const struct sock_filter ok[] = {ST(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	if (kernel_verdict(sh, ok, 1) == 0)
		return true;
	print_message("seccomp(2) filters cannot be loaded here: skipping\n");
	return false;
}

/*
 * Whether this process already runs under a filter (a container's): it may refuse syscalls that
 * do not exist with its own errno, so only real, harmless ones are then used.
 */
static bool under_filter(void)
{
	char line[256];
	bool filtered = false;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return true;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Seccomp:", 8) == 0)
			filtered = atoi(line + 8) != 0;
	fclose(f);
	return filtered;
}

#ifdef __x86_64__
/*
 * A syscall whose seccomp_data is known to the last bit: nr and the six argument registers
 * are ours, and instruction_pointer is the address after this very syscall instruction.
 */
static __attribute__((noinline)) long raw_syscall(long nr, const uint64_t a[6], uint64_t *ip)
{
	register uint64_t r10 __asm__("r10") = a[3];
	register uint64_t r8 __asm__("r8") = a[4];
	register uint64_t r9 __asm__("r9") = a[5];
	uint64_t where;
	long ret;

	__asm__ volatile("lea 1f(%%rip), %1\n\t"
			 "syscall\n"
			 "1:"
			 : "=a"(ret), "=&r"(where)
			 : "a"(nr), "D"(a[0]), "S"(a[1]), "d"(a[2]), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	if (ip)
		*ip = where;
	return ret;
}
#endif

struct call {
	long nr;
	uint64_t args[6];
};

enum obs_kind { OBS_RETURN, OBS_TRAP, OBS_KILL, OBS_NOTHING };
struct obs {
	enum obs_kind kind;
	long value; /* RETURN: the raw return value; TRAP: si_errno */
};

/* Run calls under the filter in a child; fill what was seen for each. false: not loaded. */
static bool kernel_run(struct shared *sh, const struct sock_filter *insns, size_t len,
		       const struct call *calls, size_t ncalls, struct obs *seen, pid_t *child)
{
#ifdef __x86_64__
	int status;
	pid_t pid;

	memset((void *)sh, 0, sizeof(*sh));
	g_shared = sh;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		child_prepare(true);
		long r = load_filter(insns, len);
		sh->load_errno = r < 0 ? errno : 0;
		sh->loaded = 1;
		if (r == 0) {
			for (size_t i = 0; i < ncalls; i++) {
				sh->slot = (int)i;
				sh->ret[i] = raw_syscall(calls[i].nr, calls[i].args, NULL);
				sh->done[i] = 1;
			}
		}
		CHILD_DIE();
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(sh->loaded);
	*child = pid;
	if (sh->load_errno)
		return false;
	if (sh->trapped) /* SIGSYS says which syscall it stopped */
		assert_int_equal(sh->trap_syscall, (int)calls[sh->trap_slot].nr);
	for (size_t i = 0; i < ncalls; i++) {
		if (sh->done[i])
			seen[i] = (struct obs){OBS_RETURN, sh->ret[i]};
		else if (sh->trapped && sh->trap_slot == (int)i)
			seen[i] = (struct obs){OBS_TRAP, sh->trap_errno};
		else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS && sh->slot == (int)i)
			seen[i] = (struct obs){OBS_KILL, 0};
		else
			seen[i] = (struct obs){OBS_NOTHING, 0};
	}
	return true;
#else
	return false;
#endif
}

/* What a single filter returning ret does to a syscall that would return real. */
static struct obs predict(uint32_t ret, long real)
{
	uint32_t data = ret & SECCOMP_RET_DATA;

	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG:
		return (struct obs){OBS_RETURN, real};
	case SECCOMP_RET_ERRNO:
		return (struct obs){OBS_RETURN, -(long)(data > 4095 ? 4095 : data)};
	case SECCOMP_RET_TRACE:	     /* no tracer: the syscall fails with ENOSYS */
	case SECCOMP_RET_USER_NOTIF: /* no listener: the same */
		return (struct obs){OBS_RETURN, -ENOSYS};
	case SECCOMP_RET_TRAP:
		return (struct obs){OBS_TRAP, data};
	default: /* KILL_PROCESS, KILL_THREAD of the only thread, and unknown actions */
		return (struct obs){OBS_KILL, 0};
	}
}

static const char *obs_str(struct obs o, char *buf, size_t size)
{
	static const char *const names[] = {"returned", "trapped", "killed", "nothing"};
	snprintf(buf, size, "%s %ld", names[o.kind], o.value);
	return buf;
}

static void dump_prog(const struct sock_filter *insns, size_t len)
{
	struct sf_buf b = {0};
	sf_bpf_disasm(insns, len, NULL, &b);
	print_message("%s", b.data ? b.data : "");
	sf_buf_free(&b);
}

/* ---------------------------------------------------------------------------------------------
 * Random programs. gen_valid makes programs the kernel should take, with loads of every
 * seccomp_data word, arithmetic, scratch memory, jumps and every kind of return; mutate breaks
 * (or bends to a boundary that is still valid) one thing the kernel checks.
 */

struct gen {
	uint64_t *rng;
	uint32_t pool[24]; /* constants worth comparing with: the words of the data in use */
	size_t npool;
	bool no_ip; /* instruction_pointer unknown: do not load it */
};

static uint32_t pick_k(struct gen *g)
{
	static const uint32_t edge[] = {0, 1, 2, 31, 32, 0x7fffffff, 0x80000000, 0xffffffff};
	switch (below(g->rng, 6)) {
	case 0:
		return edge[below(g->rng, NINSNS(edge))];
	case 1:
		return below(g->rng, 64);
	case 2:
		return (uint32_t)rnd(g->rng);
	default:
		return g->npool ? g->pool[below(g->rng, (uint32_t)g->npool)] : 0;
	}
}

static uint32_t pick_ret(uint64_t *rng)
{
	static const uint32_t actions[] = {
	    SECCOMP_RET_ALLOW,	     SECCOMP_RET_LOG,	       SECCOMP_RET_KILL_PROCESS,
	    SECCOMP_RET_KILL_THREAD, SECCOMP_RET_TRAP,	       SECCOMP_RET_ERRNO,
	    SECCOMP_RET_ERRNO,	     SECCOMP_RET_ERRNO,	       SECCOMP_RET_TRACE,
	    SECCOMP_RET_USER_NOTIF,  0x00010000 /* unknown */, 0x7ffe0000 /* unknown */,
	};
	uint32_t data = below(rng, 4) ? below(rng, 200) : below(rng, 0x10000);
	return actions[below(rng, NINSNS(actions))] | data;
}

static uint8_t pick_off(uint64_t *rng, size_t room)
{
	/* room: instructions after this one; a target must be one of them. */
	uint32_t max = room - 1 > 255 ? 255 : (uint32_t)(room - 1);
	if (below(rng, 3))
		return (uint8_t)below(rng, (max < 4 ? max : 4) + 1);
	return (uint8_t)below(rng, max + 1);
}

static void gen_insn(struct gen *g, struct sock_filter *f, size_t pc, size_t len)
{
	static const uint16_t alu_ops[] = {BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_AND,
					   BPF_OR,  BPF_XOR, BPF_LSH, BPF_RSH, BPF_NEG};
	static const uint16_t jmp_ops[] = {BPF_JEQ, BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET};
	size_t room = len - pc - 1;
	uint32_t r = below(g->rng, 100);

	*f = ST(BPF_RET | BPF_K, pick_ret(g->rng));
	if (room == 0)
		return;
	if (r < 24) {
		uint32_t k;
		do
			k = 4 * below(g->rng, 16);
		while (g->no_ip && (k == 8 || k == 12));
		*f = ST(BPF_LD | BPF_W | BPF_ABS, k);
	} else if (r < 28) {
		static const uint16_t codes[] = {BPF_LD | BPF_IMM, BPF_LDX | BPF_IMM,
						 BPF_LD | BPF_W | BPF_LEN,
						 BPF_LDX | BPF_W | BPF_LEN};
		*f = ST(codes[below(g->rng, 4)], pick_k(g));
	} else if (r < 46) {
		uint16_t op = alu_ops[below(g->rng, NINSNS(alu_ops))];
		bool x = below(g->rng, 2);
		uint32_t k = pick_k(g);
		if (op == BPF_NEG)
			x = false;
		if (!x && op == BPF_DIV && k == 0)
			k = 1 + below(g->rng, 10);
		if (!x && (op == BPF_LSH || op == BPF_RSH))
			k &= 31;
		*f = ST(BPF_ALU | op | (x ? BPF_X : BPF_K), k);
	} else if (r < 52) {
		*f = ST(BPF_MISC | (below(g->rng, 2) ? BPF_TAX : BPF_TXA), 0);
	} else if (r < 60) {
		static const uint16_t codes[] = {BPF_ST, BPF_STX, BPF_LD | BPF_MEM,
						 BPF_LDX | BPF_MEM};
		*f = ST(codes[below(g->rng, 4)], below(g->rng, 4));
	} else if (r < 64) {
		*f = ST(BPF_JMP | BPF_JA, pick_off(g->rng, room));
	} else if (r < 90) {
		uint16_t op = jmp_ops[below(g->rng, NINSNS(jmp_ops))];
		bool x = below(g->rng, 4) == 0;
		*f = JP(BPF_JMP | op | (x ? BPF_X : BPF_K), pick_k(g), pick_off(g->rng, room),
			pick_off(g->rng, room));
	} else if (r < 97) {
		*f = ST(BPF_RET | BPF_K, pick_ret(g->rng));
	} else {
		*f = ST(BPF_RET | BPF_A, 0);
	}
}

static size_t gen_valid(struct gen *g, struct sock_filter *insns, size_t max)
{
	size_t len = 2 + below(g->rng, 30);
	if (len > max)
		len = max;
	for (size_t pc = 0; pc < len; pc++)
		gen_insn(g, &insns[pc], pc, len);
	/* Often write scratch words first, so that later reads of them are valid. */
	if (len > 2 && below(g->rng, 2))
		insns[0] = ST(below(g->rng, 2) ? BPF_ST : BPF_STX, below(g->rng, 4));
	if (len > 3 && below(g->rng, 2))
		insns[1] = ST(below(g->rng, 2) ? BPF_ST : BPF_STX, below(g->rng, 4));
	return len;
}

static void mutate(struct gen *g, struct sock_filter *insns, size_t *plen, size_t max)
{
	static const uint16_t near[] = {
	    BPF_LD | BPF_H | BPF_ABS,  BPF_LD | BPF_B | BPF_ABS,
	    BPF_LD | BPF_W | BPF_IND,  BPF_LD | BPF_H | BPF_IND,
	    BPF_LD | BPF_B | BPF_IND,  BPF_LDX | BPF_B | BPF_MSH,
	    BPF_ALU | BPF_MOD | BPF_K, BPF_ALU | BPF_MOD | BPF_X,
	    BPF_RET | BPF_X,	       BPF_ALU | BPF_NEG | BPF_X,
	    BPF_LDX | BPF_W | BPF_ABS, BPF_JMP | BPF_JA | BPF_X,
	    BPF_LD | BPF_H | BPF_IMM,  BPF_LDX | BPF_H | BPF_MEM,
	    BPF_MISC | BPF_TAX | 0x08, BPF_ST | 0x08,
	    BPF_RET | BPF_A | BPF_X,   BPF_LD | BPF_W | BPF_LEN,
	    BPF_LDX | BPF_W | BPF_LEN, BPF_ALU | BPF_ADD | 0x100,
	    0x8000 | BPF_RET,
	};
	size_t len = *plen, pc, room;
	struct sock_filter *f;

	if (len == 0)
		return;
	pc = below(g->rng, (uint32_t)len);
	room = len - pc - 1;
	f = &insns[pc];

	switch (below(g->rng, 17)) {
	case 0:
		f->code = (uint16_t)rnd(g->rng);
		break;
	case 1:
		f->code = (uint16_t)below(g->rng, 256);
		break;
	case 2:
		f->code = near[below(g->rng, NINSNS(near))];
		break;
	case 3: {
		static const uint32_t ks[] = {
		    60,	       64, 62, 1, 2, 3, 68, 256, 0xfffff000, 0xfffff004, 0xfffff000 + 36,
		    0xffffffff};
		*f = ST(BPF_LD | BPF_W | BPF_ABS, ks[below(g->rng, NINSNS(ks))]);
		break;
	}
	case 4: {
		static const uint16_t codes[] = {BPF_ST, BPF_STX, BPF_LD | BPF_MEM,
						 BPF_LDX | BPF_MEM};
		static const uint32_t ks[] = {0, 15, 16, 17, 0xffffffff};
		*f = ST(codes[below(g->rng, 4)], ks[below(g->rng, NINSNS(ks))]);
		break;
	}
	case 5:
		*f = ST(BPF_ALU | BPF_DIV | BPF_K, below(g->rng, 3) ? 0 : 7);
		break;
	case 6: {
		static const uint32_t ks[] = {31, 32, 33, 0xffffffff};
		*f = ST(BPF_ALU | (below(g->rng, 2) ? BPF_LSH : BPF_RSH) | BPF_K,
			ks[below(g->rng, NINSNS(ks))]);
		break;
	}
	case 7:
		if (room == 0)
			break;
		*f = ST(BPF_JMP | BPF_JA,
			below(g->rng, 4) == 0 ? 0xffffffffu : (uint32_t)room - below(g->rng, 2));
		break;
	case 8:
		if (room == 0 || room > 256)
			break;
		*f = JP(BPF_JMP | BPF_JEQ | BPF_K, pick_k(g),
			(uint8_t)(below(g->rng, 2) ? room - below(g->rng, 2) : 0),
			(uint8_t)(below(g->rng, 2) ? room - below(g->rng, 2) : 0));
		break;
	case 9:
		insns[len - 1] = ST(BPF_LD | BPF_IMM, 1);
		break;
	case 10:
		insns[0] =
		    ST(below(g->rng, 2) ? BPF_LD | BPF_MEM : BPF_LDX | BPF_MEM, below(g->rng, 16));
		break;
	case 11:
		/* jt and jf of an instruction that is not a jump are ignored by the kernel. */
		if (BPF_CLASS(f->code) != BPF_JMP) {
			f->jt = (uint8_t)rnd(g->rng);
			f->jf = (uint8_t)rnd(g->rng);
		}
		break;
	case 12:
		if (f->code == (BPF_MISC | BPF_TAX) || f->code == (BPF_MISC | BPF_TXA) ||
		    f->code == (BPF_ALU | BPF_NEG) || f->code == (BPF_RET | BPF_A))
			f->k = (uint32_t)rnd(g->rng);
		break;
	case 13:
		/* A store later than the load it should precede. */
		if (len > 3) {
			insns[0] = ST(BPF_ST, 5);
			insns[2] = ST(BPF_LD | BPF_MEM, 5);
			if (below(g->rng, 2))
				insns[1] = JP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1);
		}
		break;
	case 14:
		if (below(g->rng, 4) == 0) {
			*plen = below(g->rng, 2) ? 0 : max;
			for (size_t i = len; i < max; i++)
				insns[i] = ST(BPF_ALU | BPF_ADD | BPF_K, 1);
			if (*plen)
				insns[*plen - 1] = ST(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		}
		break;
	case 15:
		f->code |= (uint16_t)(1u << (8 + below(g->rng, 8)));
		break;
	default:
		*f = ST(BPF_RET | BPF_K, (uint32_t)rnd(g->rng));
		break;
	}
}

static void gen_pool_default(struct gen *g)
{
	static const uint32_t p[] = {0,		 4,	     39,	 110,	     1000,
				     0x40000000, 0xc000003e, 0x40000003, 0xdeadbeef, 0xffffffff};
	memcpy(g->pool, p, sizeof(p));
	g->npool = NINSNS(p);
}

static void validate_matches_kernel(void **state)
{
	enum { PROGRAMS = 5000, BIG = SF_BPF_MAXINSNS + 1 };
	static struct sock_filter insns[BIG];
	uint64_t seed = test_seed(), rng = seed;
	struct gen g = {.rng = &rng};
	struct shared *sh = shared_map();
	unsigned accepted = 0, rejected = 0, big = 0;
	/* Every rule must have been met: the kernel agreed on each of them. */
	static const char *const reasons[] = {
	    "unknown opcode",
	    "that seccomp does not allow",
	    "past the end of seccomp_data",
	    "not 4-byte aligned",
	    "division by the constant",
	    "shift by the constant",
	    "scratch memory index",
	    "reads scratch memory",
	    "past the last instruction",
	    "must be a return",
	    "at most 4096",
	    "empty program",
	};
	unsigned seen[NINSNS(reasons)] = {0};

	gen_pool_default(&g);
	if (!have_seccomp(sh)) {
		munmap((void *)sh, sizeof(*sh));
		skip();
	}
	for (unsigned n = 0; n < PROGRAMS; n++) {
		struct sf_error err = {0};
		size_t len = gen_valid(&g, insns, 40);
		unsigned muts = below(&rng, 3);
		int kerr, ours;

		for (unsigned m = 0; m < muts; m++)
			mutate(&g, insns, &len, below(&rng, 2) ? SF_BPF_MAXINSNS : BIG);
		if (len > 40)
			big++;
		kerr = kernel_verdict(sh, insns, len);
		ours = sf_bpf_validate(insns, len, &err);
		if (kerr != 0 && kerr != EINVAL)
			fail_msg("program %u: seccomp(2) failed with %s, not EINVAL", n,
				 strerror(kerr));
		if ((kerr == 0) != (ours == 0)) {
			print_message(
			    "seed 0x%llx program %u: kernel %s, sf_bpf_validate %s (%s)\n",
			    (unsigned long long)seed, n, kerr ? "refuses" : "accepts",
			    ours ? "refuses" : "accepts", ours ? err.msg : "");
			if (len <= 64)
				dump_prog(insns, len);
			fail();
		}
		if (ours) {
			assert_int_equal(ours, -EINVAL);
			for (size_t r = 0; r < NINSNS(reasons); r++)
				if (strstr(err.msg, reasons[r])) {
					seen[r]++;
					break;
				}
		}
		if (kerr == 0)
			accepted++;
		else
			rejected++;
	}
	print_message("validate: %u random programs, kernel accepted %u, refused %u (%u long), "
		      "sf_bpf_validate agreed on all\n",
		      PROGRAMS, accepted, rejected, big);
	for (size_t r = 0; r < NINSNS(reasons); r++) {
		print_message("  refused for '%s': %u\n", reasons[r], seen[r]);
		assert_true(seen[r] > 0);
	}
	munmap((void *)sh, sizeof(*sh));
}

/* ---------------------------------------------------------------------------------------------
 * The emulator against the kernel: run real syscalls under random valid programs.
 */

#ifdef __x86_64__
static long real_result(const struct call *c, pid_t self, pid_t parent)
{
	switch (c->nr) {
	case SYS_getpid:
		return self;
	case SYS_getppid:
		return parent;
	default:
		return -ENOSYS;
	}
}

static void pick_calls(uint64_t *rng, bool real_only, struct call *calls, size_t n)
{
	static const long nrs[] = {SYS_getppid, SYS_getppid, SYS_getpid, 1000, 0x40000000 | 39};
	static const uint64_t vals[] = {
	    0, 1, 3, 0xffffffff, 0x100000000ULL, 0xdeadbeefcafef00dULL, 0x8000000000000000ULL};
	for (size_t i = 0; i < n; i++) {
		calls[i].nr = nrs[below(rng, real_only ? 3 : NINSNS(nrs))];
		for (int a = 0; a < 6; a++)
			calls[i].args[a] =
			    below(rng, 3) ? vals[below(rng, NINSNS(vals))] : rnd(rng);
	}
}

static void pool_from_calls(struct gen *g, const struct call *calls, size_t n, uint64_t ip)
{
	g->npool = 0;
	g->pool[g->npool++] = AUDIT_ARCH_X86_64;
	g->pool[g->npool++] = (uint32_t)ip;
	g->pool[g->npool++] = (uint32_t)(ip >> 32);
	for (size_t i = 0; i < n && g->npool + 3 <= NINSNS(g->pool); i++) {
		g->pool[g->npool++] = (uint32_t)calls[i].nr;
		uint64_t a = calls[i].args[below(g->rng, 6)];
		g->pool[g->npool++] = (uint32_t)a;
		g->pool[g->npool++] = (uint32_t)(a >> 32);
	}
}
#endif

static void emulate_matches_kernel(void **state)
{
#ifndef __x86_64__
	skip();
#else
	enum { PROGRAMS = 2500 };
	struct sock_filter insns[64];
	uint64_t seed = test_seed() ^ 0xe, rng = seed, ip;
	struct gen g = {.rng = &rng};
	struct shared *sh = shared_map();
	pid_t self = getpid();
	unsigned runs = 0, kinds[4] = {0}, loads_ip = 0;
	static const uint64_t zero[6];
	bool real_only = under_filter();

	if (!have_seccomp(sh)) {
		munmap((void *)sh, sizeof(*sh));
		skip();
	}
	/* The address after the syscall instruction, the same in every forked child. */
	raw_syscall(SYS_getppid, zero, &ip);
	for (unsigned n = 0; n < PROGRAMS; n++) {
		struct call calls[NSLOTS];
		struct obs seen[NSLOTS];
		pid_t child = 0;
		size_t len;
		struct sf_error err = {0};

		pick_calls(&rng, real_only, calls, NSLOTS);
		pool_from_calls(&g, calls, NSLOTS, ip);
		do
			len = gen_valid(&g, insns, NINSNS(insns));
		while (sf_bpf_validate(insns, len, &err) < 0);
		for (size_t i = 0; i < len; i++)
			if (insns[i].code == (BPF_LD | BPF_W | BPF_ABS) &&
			    (insns[i].k == 8 || insns[i].k == 12)) {
				loads_ip++;
				break;
			}

		if (!kernel_run(sh, insns, len, calls, NSLOTS, seen, &child)) {
			print_message(
			    "program %u: sf_bpf_validate accepts it, the kernel refuses it "
			    "(%s)\n",
			    n, strerror(sh->load_errno));
			dump_prog(insns, len);
			fail();
		}
		for (size_t i = 0; i < NSLOTS; i++) {
			struct seccomp_data d = {.nr = (int)calls[i].nr,
						 .arch = AUDIT_ARCH_X86_64,
						 .instruction_pointer = ip};
			uint32_t ret;
			size_t steps;
			struct obs want;
			char b1[64], b2[64];

			memcpy(d.args, calls[i].args, sizeof(d.args));
			assert_int_equal(sf_bpf_emulate(insns, len, &d, &ret, &steps, &err), 0);
			assert_true(steps >= 1 && steps <= len);
			want = predict(ret, real_result(&calls[i], child, self));
			if (want.kind != seen[i].kind || want.value != seen[i].value) {
				print_message("seed 0x%llx program %u call %zu (nr %ld): emulator "
					      "returns 0x%08x, expecting %s; the kernel %s\n",
					      (unsigned long long)seed, n, i, calls[i].nr, ret,
					      obs_str(want, b1, sizeof(b1)),
					      obs_str(seen[i], b2, sizeof(b2)));
				dump_prog(insns, len);
				fail();
			}
			runs++;
			kinds[want.kind]++;
			if (want.kind != OBS_RETURN)
				break;
		}
	}
	print_message("emulate: %u programs (%u load the ip), %u syscalls compared with the kernel "
		      "(%u returned, %u trapped, %u killed): all agree\n",
		      PROGRAMS, loads_ip, runs, kinds[OBS_RETURN], kinds[OBS_TRAP],
		      kinds[OBS_KILL]);
	munmap((void *)sh, sizeof(*sh));
#endif
}

/* ---------------------------------------------------------------------------------------------
 * libseccomp's filters: random rules, exported raw, read back, validated, and emulated on
 * seccomp_data chosen around the rules' constants; the verdict must be what the rules mean.
 */

struct lrule {
	int nr;
	uint32_t action;
	unsigned ncmp;
	struct scmp_arg_cmp cmp[3];
};

static bool cmp_holds(const struct scmp_arg_cmp *c, const struct seccomp_data *d)
{
	uint64_t a = d->args[c->arg];
	switch (c->op) {
	case SCMP_CMP_EQ:
		return a == c->datum_a;
	case SCMP_CMP_NE:
		return a != c->datum_a;
	case SCMP_CMP_LT:
		return a < c->datum_a;
	case SCMP_CMP_LE:
		return a <= c->datum_a;
	case SCMP_CMP_GT:
		return a > c->datum_a;
	case SCMP_CMP_GE:
		return a >= c->datum_a;
	case SCMP_CMP_MASKED_EQ:
		/* libseccomp masks the datum too: bits of it outside the mask are ignored. */
		return (a & c->datum_a) == (c->datum_b & c->datum_a);
	default:
		return false;
	}
}

/* What the rules mean for d: libseccomp's documented semantics, written out. */
static uint32_t rules_verdict(const struct lrule *rules, size_t n, uint32_t def,
			      const struct seccomp_data *d)
{
	if (d->arch != AUDIT_ARCH_X86_64)
		return SCMP_ACT_KILL; /* the bad-arch action */
	/* x32 numbers on an x86_64-only filter (-1 is left to the rules: it means "skipped"). */
	if ((uint32_t)d->nr >= 0x40000000 && (uint32_t)d->nr != 0xffffffff)
		return SCMP_ACT_KILL;
	for (size_t i = 0; i < n; i++) {
		bool all = rules[i].nr == d->nr;
		for (unsigned c = 0; all && c < rules[i].ncmp; c++)
			all = cmp_holds(&rules[i].cmp[c], d);
		if (all)
			return rules[i].action;
	}
	return def;
}

static uint64_t pick_datum(uint64_t *rng)
{
	static const uint64_t v[] = {0,
				     1,
				     2,
				     5,
				     0xff,
				     0x7fffffff,
				     0x80000000,
				     0xffffffff,
				     0x100000000ULL,
				     0x100000005ULL,
				     0xffffffff00000000ULL,
				     0xffffffffffffffffULL};
	return below(rng, 4) ? v[below(rng, NINSNS(v))] : rnd(rng);
}

static uint64_t near_value(uint64_t *rng, uint64_t v)
{
	switch (below(rng, 6)) {
	case 0:
		return v + 1;
	case 1:
		return v - 1;
	case 2:
		return v ^ (1ULL << below(rng, 64));
	case 3:
		return pick_datum(rng);
	default:
		return v;
	}
}

static void libseccomp_filters_mean_their_rules(void **state)
{
	static const char *const names[] = {"read",  "write",  "openat", "close", "mmap",
					    "ioctl", "socket", "clone",	 "kill",  "prctl"};
	static const uint32_t acts[] = {
	    SCMP_ACT_ALLOW,	  SCMP_ACT_ERRNO(1), SCMP_ACT_ERRNO(13), SCMP_ACT_KILL_PROCESS,
	    SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP,     SCMP_ACT_LOG,	 SCMP_ACT_TRACE(7)};
	static const enum scmp_compare ops[] = {SCMP_CMP_EQ,	   SCMP_CMP_NE, SCMP_CMP_LT,
						SCMP_CMP_LE,	   SCMP_CMP_GT, SCMP_CMP_GE,
						SCMP_CMP_MASKED_EQ};
	enum { FILTERS = 300, QUERIES = 400 };
	uint64_t rng = test_seed() ^ 0x11b, checked = 0;

	for (unsigned n = 0; n < FILTERS; n++) {
		uint32_t def = acts[below(&rng, NINSNS(acts))];
		scmp_filter_ctx ctx = seccomp_init(def);
		struct lrule rules[12];
		size_t nrules = 0, nsys = 1 + below(&rng, 5);
		struct sf_prog prog = {0};
		struct sf_error err = {0};
		struct sf_buf text = {0};

		assert_non_null(ctx);
		if (below(&rng, 2))
			assert_int_equal(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2), 0);
		for (size_t s = 0; s < nsys; s++) {
			struct lrule *lr = &rules[nrules];
			unsigned used = 0;
			bool dup = false;

			/*
			 * One rule per syscall: libseccomp 2.5.4 miscompiles some sets of several
			 * rules with argument comparisons on one syscall (libseccomp_multi_rule_bug
			 * below shows one, with the kernel as the judge).
			 */
			lr->nr = seccomp_syscall_resolve_name(names[below(&rng, NINSNS(names))]);
			for (size_t r = 0; r < nrules; r++)
				dup |= rules[r].nr == lr->nr;
			if (dup)
				continue;
			do
				lr->action = acts[below(&rng, NINSNS(acts))];
			while (lr->action == def);
			lr->ncmp = below(&rng, 4);
			for (unsigned c = 0; c < lr->ncmp; c++) {
				unsigned arg;
				do
					arg = below(&rng, 6);
				while (used & (1u << arg));
				used |= 1u << arg;
				lr->cmp[c] = (struct scmp_arg_cmp){
				    .arg = arg,
				    .op = ops[below(&rng, NINSNS(ops))],
				    .datum_a = pick_datum(&rng),
				};
				if (lr->cmp[c].op == SCMP_CMP_MASKED_EQ)
					lr->cmp[c].datum_b =
					    below(&rng, 4) ? lr->cmp[c].datum_a & pick_datum(&rng)
							   : pick_datum(&rng);
			}
			assert_int_equal(
			    seccomp_rule_add_array(ctx, lr->action, lr->nr, lr->ncmp, lr->cmp), 0);
			nrules++;
		}

		int fd = memfd_create("filter", MFD_CLOEXEC);
		assert_true(fd >= 0);
		assert_int_equal(seccomp_export_bpf(ctx, fd), 0);
		off_t size = lseek(fd, 0, SEEK_END);
		assert_true(size > 0);
		char *bytes = malloc((size_t)size);
		assert_non_null(bytes);
		assert_int_equal(pread(fd, bytes, (size_t)size, 0), size);
		close(fd);
		assert_int_equal(sf_bpf_from_bytes(bytes, (size_t)size, &prog, &err), 0);
		free(bytes);
		if (sf_bpf_validate(prog.insns, prog.len, &err) < 0)
			fail_msg("libseccomp filter %u refused: %s", n, err.msg);

		/* The disassembly names every syscall of the rules on the x86_64 path. */
		assert_int_equal(sf_bpf_disasm(prog.insns, prog.len, NULL, &text), 0);
		for (size_t r = 0; r < nrules; r++) {
			char want[64];
			snprintf(want, sizeof(want), "; %s\n",
				 sf_syscall_name(sf_arch_find("x86_64"), rules[r].nr));
			if (!strstr(text.data, want))
				fail_msg("disassembly of filter %u lacks '%s':\n%s", n, want,
					 text.data);
		}
		sf_buf_free(&text);

		for (unsigned q = 0; q < QUERIES; q++) {
			struct seccomp_data d = {.arch = AUDIT_ARCH_X86_64};
			const struct lrule *base = &rules[below(&rng, (uint32_t)nrules)];
			uint32_t got, want;
			size_t steps;

			switch (below(&rng, 20)) {
			case 0:
				d.arch = below(&rng, 2) ? AUDIT_ARCH_I386 : AUDIT_ARCH_AARCH64;
				break;
			case 1:
				d.nr = (int)(0x40000000u | below(&rng, 600));
				break;
			case 2:
				d.nr = -1;
				break;
			case 3:
				d.nr = (int)below(&rng, 500);
				break;
			default:
				d.nr = base->nr;
			}
			if (d.nr != base->nr || below(&rng, 8) == 0) {
				for (int a = 0; a < 6; a++)
					d.args[a] = pick_datum(&rng);
			} else {
				for (int a = 0; a < 6; a++)
					d.args[a] = pick_datum(&rng);
				for (unsigned c = 0; c < base->ncmp; c++) {
					const struct scmp_arg_cmp *cm = &base->cmp[c];
					uint64_t v = cm->op == SCMP_CMP_MASKED_EQ ? cm->datum_b
										  : cm->datum_a;
					d.args[cm->arg] = near_value(&rng, v);
				}
			}
			d.instruction_pointer = rnd(&rng);
			assert_int_equal(
			    sf_bpf_emulate(prog.insns, prog.len, &d, &got, &steps, &err), 0);
			want = rules_verdict(rules, nrules, def, &d);
			if (got != want) {
				print_message(
				    "filter %u query %u: nr %d arch 0x%x args %llx %llx %llx "
				    "%llx %llx %llx: emulator 0x%08x, rules mean 0x%08x\n",
				    n, q, d.nr, d.arch, (unsigned long long)d.args[0],
				    (unsigned long long)d.args[1], (unsigned long long)d.args[2],
				    (unsigned long long)d.args[3], (unsigned long long)d.args[4],
				    (unsigned long long)d.args[5], got, want);
				for (size_t r = 0; r < nrules; r++) {
					print_message("rule %zu: nr %d action 0x%08x:", r,
						      rules[r].nr, rules[r].action);
					for (unsigned c = 0; c < rules[r].ncmp; c++)
						print_message(
						    " arg%u op%d 0x%llx 0x%llx",
						    rules[r].cmp[c].arg, rules[r].cmp[c].op,
						    (unsigned long long)rules[r].cmp[c].datum_a,
						    (unsigned long long)rules[r].cmp[c].datum_b);
					print_message("\n");
				}
				dump_prog(prog.insns, prog.len);
				fail();
			}
			checked++;
		}
		sf_prog_free(&prog);
		seccomp_release(ctx);
	}
	print_message("libseccomp: %d filters, %llu verdicts match their rules\n", FILTERS,
		      (unsigned long long)checked);
}

/* ---------------------------------------------------------------------------------------------
 * The validator's rules, one program each: the message names the instruction and the reason.
 */

struct vcase {
	const char *name;
	struct sock_filter insns[6];
	size_t len;
	const char *msg; /* NULL: valid */
};

static void validate_rules(void **state)
{
	static const struct vcase cases[] = {
	    {"a single return", {ST(BPF_RET | BPF_K, 0)}, 1, NULL},
	    {"ret a", {ST(BPF_RET | BPF_A, 0)}, 1, NULL},
	    {"last instruction not a return",
	     {ST(BPF_LD | BPF_W | BPF_ABS, 0)},
	     1,
	     "instruction 0: the last instruction must be a return"},
	    {"load past seccomp_data",
	     {ST(BPF_LD | BPF_W | BPF_ABS, 64), ST(BPF_RET | BPF_A, 0)},
	     2,
	     "instruction 0: ld [0x40] is past the end of seccomp_data"},
	    {"last word of seccomp_data",
	     {ST(BPF_LD | BPF_W | BPF_ABS, 60), ST(BPF_RET | BPF_A, 0)},
	     2,
	     NULL},
	    {"unaligned load",
	     {ST(BPF_RET | BPF_K, 0), ST(BPF_LD | BPF_W | BPF_ABS, 2), ST(BPF_RET | BPF_A, 0)},
	     3,
	     "instruction 1: ld [0x2] is not 4-byte aligned"},
	    {"16-bit load",
	     {ST(BPF_LD | BPF_H | BPF_ABS, 0), ST(BPF_RET | BPF_A, 0)},
	     2,
	     "instruction 0: a 16-bit load (ldh) (opcode 0x28) is classic BPF that seccomp"},
	    {"modulo",
	     {ST(BPF_ALU | BPF_MOD | BPF_K, 3), ST(BPF_RET | BPF_A, 0)},
	     2,
	     "instruction 0: modulo (mod)"},
	    {"ld len is sizeof(seccomp_data)",
	     {ST(BPF_LD | BPF_W | BPF_LEN, 0), ST(BPF_LDX | BPF_W | BPF_LEN, 0),
	      ST(BPF_RET | BPF_A, 0)},
	     3,
	     NULL},
	    {"unknown opcode",
	     {ST(0xffff, 0), ST(BPF_RET | BPF_A, 0)},
	     2,
	     "instruction 0: unknown opcode 0xffff"},
	    {"division by constant 0",
	     {ST(BPF_ALU | BPF_DIV | BPF_K, 0), ST(BPF_RET | BPF_A, 0)},
	     2,
	     "instruction 0: division by the constant 0"},
	    {"division by X is checked at run time",
	     {ST(BPF_ALU | BPF_DIV | BPF_X, 0), ST(BPF_RET | BPF_A, 0)},
	     2,
	     NULL},
	    {"shift by constant 32",
	     {ST(BPF_ALU | BPF_LSH | BPF_K, 32), ST(BPF_RET | BPF_A, 0)},
	     2,
	     "instruction 0: shift by the constant 32"},
	    {"scratch index 16",
	     {ST(BPF_ST, 16), ST(BPF_RET | BPF_A, 0)},
	     2,
	     "instruction 0: scratch memory index 16 out of range"},
	    {"scratch read before write",
	     {ST(BPF_LDX | BPF_MEM, 3), ST(BPF_RET | BPF_A, 0)},
	     2,
	     "instruction 0: ldx M[3] reads scratch memory that is not written"},
	    {"scratch written on one path only",
	     {ST(BPF_LD | BPF_W | BPF_ABS, 0), JP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
	      ST(BPF_ST, 2), ST(BPF_LD | BPF_MEM, 2), ST(BPF_RET | BPF_A, 0)},
	     5,
	     "instruction 3: ld M[2] reads scratch memory"},
	    {"scratch written on every path",
	     {ST(BPF_ST, 2), JP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1), ST(BPF_ST, 2),
	      ST(BPF_LD | BPF_MEM, 2), ST(BPF_RET | BPF_A, 0)},
	     5,
	     NULL},
	    {"conditional jump past the end",
	     {JP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1), ST(BPF_RET | BPF_A, 0)},
	     2,
	     "instruction 0: the false branch (+1) jumps to 2, past the last instruction (1)"},
	    {"ja to the last instruction",
	     {ST(BPF_JMP | BPF_JA, 1), ST(BPF_RET | BPF_K, 0), ST(BPF_RET | BPF_A, 0)},
	     3,
	     NULL},
	    {"ja past the end",
	     {ST(BPF_JMP | BPF_JA, 2), ST(BPF_RET | BPF_K, 0), ST(BPF_RET | BPF_A, 0)},
	     3,
	     "instruction 0: ja +2 jumps to 3, past the last instruction (2)"},
	    {"ja wrapping around",
	     {ST(BPF_JMP | BPF_JA, 0xffffffff), ST(BPF_RET | BPF_A, 0)},
	     2,
	     "instruction 0: ja +4294967295"},
	    {"ja to the next instruction",
	     {ST(BPF_JMP | BPF_JA, 0), ST(BPF_RET | BPF_A, 0)},
	     2,
	     NULL},
	    {"jt and jf of a return are ignored", {JP(BPF_RET | BPF_K, 0, 7, 9)}, 1, NULL},
	    {"k of tax is ignored",
	     {ST(BPF_MISC | BPF_TAX, 12345), ST(BPF_RET | BPF_A, 0)},
	     2,
	     NULL},
	    {"ret x does not exist",
	     {ST(BPF_RET | BPF_X, 0)},
	     1,
	     "instruction 0: unknown opcode 0x000e"},
	    {"an opcode with high bits set",
	     {ST(0x8000 | BPF_RET, 0)},
	     1,
	     "instruction 0: unknown opcode 0x8006"},
	    {"ancillary loads are socket filter only",
	     {ST(BPF_LD | BPF_W | BPF_ABS, 0xfffff000), ST(BPF_RET | BPF_A, 0)},
	     2,
	     "instruction 0: ld [0xfffff000] is past the end of seccomp_data"},
	    /* The kernel does not forget stores at a return: the dead load below still passes. */
	    {"dead code after a return",
	     {ST(BPF_ST, 1), ST(BPF_RET | BPF_K, 0), ST(BPF_LD | BPF_MEM, 1),
	      ST(BPF_RET | BPF_A, 0)},
	     4,
	     NULL},
	    {"a jump target after a return sees only the jump's stores",
	     {JP(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0), ST(BPF_ST, 1), ST(BPF_RET | BPF_K, 0),
	      ST(BPF_LD | BPF_MEM, 1), ST(BPF_RET | BPF_A, 0)},
	     5,
	     "instruction 3: ld M[1] reads scratch memory"},
	};
	struct shared *sh = shared_map();
	bool have_kernel;

	{
		const struct sock_filter ok[] = {ST(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
		have_kernel = kernel_verdict(sh, ok, 1) == 0;
	}
	for (size_t i = 0; i < NINSNS(cases); i++) {
		const struct vcase *c = &cases[i];
		struct sf_error err = {0};
		int r = sf_bpf_validate(c->insns, c->len, &err);
		/* Each rule is the kernel's: it must say the same. */
		if (have_kernel && (kernel_verdict(sh, c->insns, c->len) == 0) != !c->msg)
			fail_msg("%s: the kernel disagrees with the expectation", c->name);
		if (!c->msg) {
			if (r != 0)
				fail_msg("%s: refused: %s", c->name, err.msg);
			continue;
		}
		if (r != -EINVAL || !strstr(err.msg, c->msg))
			fail_msg("%s: got %d '%s', want '%s'", c->name, r, err.msg, c->msg);
	}
	munmap((void *)sh, sizeof(*sh));
}

static void validate_lengths(void **state)
{
	static struct sock_filter big[SF_BPF_MAXINSNS + 1];
	struct sf_error err = {0};

	for (size_t i = 0; i < NINSNS(big); i++)
		big[i] = ST(BPF_RET | BPF_K, 0);
	assert_int_equal(sf_bpf_validate(big, 0, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "empty program"));
	assert_int_equal(sf_bpf_validate(big, SF_BPF_MAXINSNS, &err), 0);
	assert_int_equal(sf_bpf_validate(big, SF_BPF_MAXINSNS + 1, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "4097 instructions"));
}

/* ---------------------------------------------------------------------------------------------
 * The emulator's semantics, each one confirmed against the kernel by emulate_matches_kernel.
 */

static uint32_t run(const struct sock_filter *insns, size_t len, const struct seccomp_data *d,
		    size_t *steps)
{
	struct sf_error err = {0};
	uint32_t ret = 0xdead;
	if (sf_bpf_emulate(insns, len, d, &ret, steps, &err) < 0)
		fail_msg("emulate: %s", err.msg);
	return ret;
}

static void emulate_div_by_x_zero_returns_0(void **state)
{
	const struct sock_filter p[] = {ST(BPF_LD | BPF_IMM, 7), ST(BPF_LDX | BPF_IMM, 0),
					ST(BPF_ALU | BPF_DIV | BPF_X, 0),
					ST(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	struct seccomp_data d = {0};
	size_t steps;
	assert_int_equal(run(p, NINSNS(p), &d, &steps), 0);
	assert_int_equal(steps, 3);
}

static void emulate_shift_by_x_uses_low_5_bits(void **state)
{
	const struct sock_filter p[] = {
	    ST(BPF_LD | BPF_IMM, 1),	      ST(BPF_LDX | BPF_IMM, 33),
	    ST(BPF_ALU | BPF_LSH | BPF_X, 0), ST(BPF_LDX | BPF_IMM, 32 + 31),
	    ST(BPF_ALU | BPF_RSH | BPF_X, 0), ST(BPF_RET | BPF_A, 0)};
	struct seccomp_data d = {0};
	assert_int_equal(run(p, NINSNS(p), &d, NULL), 0); /* 1 << 1 = 2, 2 >> 31 = 0 */
	const struct sock_filter q[] = {ST(BPF_LD | BPF_IMM, 0x80000000),
					ST(BPF_LDX | BPF_IMM, 0xffffffe0),
					ST(BPF_ALU | BPF_RSH | BPF_X, 0), ST(BPF_RET | BPF_A, 0)};
	assert_int_equal(run(q, NINSNS(q), &d, NULL), 0x80000000); /* shift by 0 */
}

static void emulate_reads_seccomp_data_in_host_order(void **state)
{
	const struct sock_filter p[] = {ST(BPF_LD | BPF_W | BPF_ABS, 16 + 8 * 2),
					ST(BPF_LDX | BPF_IMM, 0),
					ST(BPF_MISC | BPF_TAX, 0),
					ST(BPF_LD | BPF_W | BPF_ABS, 16 + 8 * 2 + 4),
					ST(BPF_ALU | BPF_ADD | BPF_X, 0),
					ST(BPF_RET | BPF_A, 0)};
	struct seccomp_data d = {.args = {0, 0, 0x0000000500000007ULL}};
	assert_int_equal(run(p, NINSNS(p), &d, NULL), 12);
}

static void emulate_arithmetic_wraps_at_32_bits(void **state)
{
	const struct sock_filter p[] = {ST(BPF_LD | BPF_IMM, 0xffffffff),
					ST(BPF_ALU | BPF_ADD | BPF_K, 2),
					ST(BPF_ALU | BPF_MUL | BPF_K, 0x80000001),
					ST(BPF_ALU | BPF_NEG, 0), ST(BPF_RET | BPF_A, 0)};
	struct seccomp_data d = {0};
	assert_int_equal(run(p, NINSNS(p), &d, NULL), 0x7fffffff);
}

static void emulate_counts_steps(void **state)
{
	const struct sock_filter p[] = {
	    ST(BPF_LD | BPF_W | BPF_ABS, 0),
	    JP(BPF_JMP | BPF_JEQ | BPF_K, 1, 2, 0),
	    ST(BPF_ST, 0),
	    ST(BPF_JMP | BPF_JA, 1),
	    ST(BPF_RET | BPF_K, 5),
	    ST(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct seccomp_data d = {.nr = 1};
	size_t steps;
	assert_int_equal(run(p, NINSNS(p), &d, &steps), 5);
	assert_int_equal(steps, 3);
	d.nr = 2;
	assert_int_equal(run(p, NINSNS(p), &d, &steps), SECCOMP_RET_ALLOW);
	assert_int_equal(steps, 5);
}

static void emulate_refuses_invalid_programs(void **state)
{
	const struct sock_filter nores[] = {ST(BPF_LD | BPF_IMM, 1)};
	const struct sock_filter badjmp[] = {JP(BPF_JMP | BPF_JEQ | BPF_K, 0, 9, 9),
					     ST(BPF_RET | BPF_A, 0)};
	const struct sock_filter mem[] = {ST(BPF_LD | BPF_MEM, 4), ST(BPF_RET | BPF_A, 0)};
	const struct sock_filter mod[] = {ST(BPF_ALU | BPF_MOD | BPF_K, 4), ST(BPF_RET | BPF_A, 0)};
	struct seccomp_data d = {0};
	struct sf_error err = {0};
	uint32_t ret;

	assert_int_equal(sf_bpf_emulate(nores, 1, &d, &ret, NULL, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "ran past the last instruction"));
	assert_int_equal(sf_bpf_emulate(badjmp, 2, &d, &ret, NULL, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "instruction 0"));
	assert_int_equal(sf_bpf_emulate(mem, 2, &d, &ret, NULL, &err), -EINVAL);
	assert_int_equal(sf_bpf_emulate(mod, 2, &d, &ret, NULL, &err), -EINVAL);
	assert_int_equal(sf_bpf_emulate(mod, 0, &d, &ret, NULL, &err), -EINVAL);
}

static void ret_describe_names_actions(void **state)
{
	static const struct {
		uint32_t ret;
		const char *text;
	} cases[] = {
	    {SECCOMP_RET_ALLOW, "ALLOW"},
	    {SECCOMP_RET_ERRNO | 1, "ERRNO(1)"},
	    {SECCOMP_RET_KILL_PROCESS, "KILL_PROCESS"},
	    {SECCOMP_RET_KILL_THREAD, "KILL_THREAD"},
	    {SECCOMP_RET_TRAP, "TRAP(0)"},
	    {SECCOMP_RET_TRACE | 5, "TRACE(5)"},
	    {SECCOMP_RET_LOG, "LOG"},
	    {SECCOMP_RET_USER_NOTIF, "USER_NOTIF"},
	    {SECCOMP_RET_ALLOW | 3, "ALLOW(3)"},
	    {0x00010000, "UNKNOWN(0x00010000)"},
	};
	char buf[48];
	for (size_t i = 0; i < NINSNS(cases); i++)
		assert_string_equal(sf_ret_describe(cases[i].ret, buf, sizeof(buf)), cases[i].text);
}

/* The emulator's cost on a 30-instruction path (the compiler's verifier runs it millions of
 * times): printed, and held to a generous bound so that a regression shows. */
static void emulate_speed(void **state)
{
	struct sock_filter p[32];
	struct seccomp_data d = {.nr = 1000, .arch = AUDIT_ARCH_X86_64};
	size_t len = 0, steps = 0;
	struct timespec t0, t1;
	uint32_t ret, sum = 0;
	enum { RUNS = 2000000 };

	p[len++] = ST(BPF_LD | BPF_W | BPF_ABS, 4);
	p[len++] = JP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	p[len++] = ST(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	p[len++] = ST(BPF_LD | BPF_W | BPF_ABS, 0);
	while (len < 30)
		p[len] = JP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)len, (uint8_t)(31 - len - 1), 0),
		len++;
	p[len++] = ST(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	p[len++] = ST(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1);
	assert_int_equal(sf_bpf_validate(p, len, NULL), 0);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned i = 0; i < RUNS; i++) {
		d.nr = 1000 + (int)(i & 1);
		assert_int_equal(sf_bpf_emulate(p, len, &d, &ret, &steps, NULL), 0);
		sum += ret;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ns =
	    ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / RUNS;
	assert_int_equal(steps, 30);
	assert_int_equal(ret, SECCOMP_RET_ALLOW);
	print_message("emulate: %.1f ns per run of a %zu-instruction path (%u)\n", ns, steps,
		      sum & 1);
	assert_true(ns < 5000);
}

/*
 * The kernel's semantics, each shown on a real syscall and matched by the emulator: what the
 * conversion to eBPF does with division by X == 0 and shifts by X >= 32, what ld len gives, how
 * the errno is capped, what TRACE and USER_NOTIF do with nobody listening.
 */
static void emulate_semantics_confirmed_by_kernel(void **state)
{
#ifndef __x86_64__
	skip();
#else
	static const uint64_t zero[6];
	struct shared *sh = shared_map();
	uint64_t ip;
	pid_t self = getpid();

	if (!have_seccomp(sh)) {
		munmap((void *)sh, sizeof(*sh));
		skip();
	}
	raw_syscall(SYS_getppid, zero, &ip);
	const struct {
		const char *name;
		struct sock_filter p[8];
		size_t len;
		struct obs want;
	} cases[] = {
	    {"div x with X == 0 returns 0 (KILL_THREAD)",
	     {ST(BPF_LDX | BPF_IMM, 0), ST(BPF_LD | BPF_IMM, 5), ST(BPF_ALU | BPF_DIV | BPF_X, 0),
	      ST(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1)},
	     4,
	     {OBS_KILL, 0}},
	    {"lsh x by 33 shifts by 1",
	     {ST(BPF_LD | BPF_IMM, 1), ST(BPF_LDX | BPF_IMM, 33), ST(BPF_ALU | BPF_LSH | BPF_X, 0),
	      ST(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO), ST(BPF_RET | BPF_A, 0)},
	     5,
	     {OBS_RETURN, -2}},
	    {"rsh x by 0xffffffff shifts by 31",
	     {ST(BPF_LD | BPF_IMM, 0x80000000), ST(BPF_LDX | BPF_IMM, 0xffffffff),
	      ST(BPF_ALU | BPF_RSH | BPF_X, 0), ST(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO),
	      ST(BPF_RET | BPF_A, 0)},
	     5,
	     {OBS_RETURN, -1}},
	    {"ld len is 64",
	     {ST(BPF_LD | BPF_W | BPF_LEN, 0), ST(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO),
	      ST(BPF_RET | BPF_A, 0)},
	     3,
	     {OBS_RETURN, -64}},
	    {"ERRNO(5000) is capped at 4095",
	     {ST(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 5000)},
	     1,
	     {OBS_RETURN, -4095}},
	    {"ERRNO(0) returns 0", {ST(BPF_RET | BPF_K, SECCOMP_RET_ERRNO)}, 1, {OBS_RETURN, 0}},
	    {"TRACE without a tracer fails with ENOSYS",
	     {ST(BPF_RET | BPF_K, SECCOMP_RET_TRACE | 3)},
	     1,
	     {OBS_RETURN, -ENOSYS}},
	    {"USER_NOTIF without a listener fails with ENOSYS",
	     {ST(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF)},
	     1,
	     {OBS_RETURN, -ENOSYS}},
	    {"an unknown action kills", {ST(BPF_RET | BPF_K, 0x00010000)}, 1, {OBS_KILL, 0}},
	    {"TRAP passes its data as si_errno",
	     {ST(BPF_RET | BPF_K, SECCOMP_RET_TRAP | 77)},
	     1,
	     {OBS_TRAP, 77}},
	    {"instruction_pointer is the address after the syscall instruction",
	     {ST(BPF_LD | BPF_W | BPF_ABS, 8), JP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)ip, 0, 3),
	      ST(BPF_LD | BPF_W | BPF_ABS, 12),
	      JP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(ip >> 32), 0, 1),
	      ST(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 9),
	      ST(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS)},
	     6,
	     {OBS_RETURN, -9}},
	    {"args are the full 64-bit registers, low word first",
	     {ST(BPF_LD | BPF_W | BPF_ABS, 16 + 8 * 5 + 4), ST(BPF_MISC | BPF_TAX, 0),
	      ST(BPF_LD | BPF_W | BPF_ABS, 16 + 8 * 5), ST(BPF_ALU | BPF_SUB | BPF_X, 0),
	      ST(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO), ST(BPF_RET | BPF_A, 0)},
	     6,
	     {OBS_RETURN, -0x11}},
	};

	for (size_t i = 0; i < NINSNS(cases); i++) {
		struct call c = {SYS_getppid, {1, 2, 3, 4, 5, 0x0000000700000018ULL}};
		struct seccomp_data d = {
		    .nr = SYS_getppid, .arch = AUDIT_ARCH_X86_64, .instruction_pointer = ip};
		struct obs seen;
		struct sf_error err = {0};
		uint32_t ret;
		pid_t child;
		char b1[64], b2[64];

		memcpy(d.args, c.args, sizeof(d.args));
		assert_int_equal(sf_bpf_validate(cases[i].p, cases[i].len, &err), 0);
		assert_true(kernel_run(sh, cases[i].p, cases[i].len, &c, 1, &seen, &child));
		assert_int_equal(sf_bpf_emulate(cases[i].p, cases[i].len, &d, &ret, NULL, &err), 0);
		struct obs emu = predict(ret, self);
		if (seen.kind != cases[i].want.kind || seen.value != cases[i].want.value ||
		    emu.kind != seen.kind || emu.value != seen.value)
			fail_msg("%s: kernel %s, emulator %s", cases[i].name,
				 obs_str(seen, b1, sizeof(b1)), obs_str(emu, b2, sizeof(b2)));
	}
	munmap((void *)sh, sizeof(*sh));
#endif
}

/*
 * libseccomp 2.5.4 compiles these two rules for one syscall so that the second rule's test of
 * arg4 reads whatever the first rule's tests left in A (arg5 here): the kernel returns
 * ERRNO(7) where the rules mean the default ERRNO(99). The emulator must follow the program,
 * not the rules, and agree with the kernel (getppid's own result is the parent's pid).
 */
static void libseccomp_multi_rule_bug(void **state)
{
#ifndef __x86_64__
	skip();
#else
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(99));
	struct call c = {SYS_getppid, {0, 0, 0, 0, 2, 0x47e9b10c175082e8ULL}};
	struct seccomp_data d = {.nr = SYS_getppid, .arch = AUDIT_ARCH_X86_64};
	struct shared *sh = shared_map();
	struct sf_prog prog = {0};
	struct sf_error err = {0};
	struct obs seen;
	uint32_t ret;
	pid_t child;
	int fd = memfd_create("filter", MFD_CLOEXEC);
	char buf[4096];
	ssize_t n;

	if (!have_seccomp(sh)) {
		munmap((void *)sh, sizeof(*sh));
		seccomp_release(ctx);
		close(fd);
		skip();
	}
	assert_non_null(ctx);
	const struct scmp_arg_cmp first[] = {{4, SCMP_CMP_NE, 0x80000000, 0},
					     {5, SCMP_CMP_LE, 0x80000000, 0}};
	const struct scmp_arg_cmp second[] = {{4, SCMP_CMP_NE, 2, 0}};
	assert_int_equal(seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(7), SYS_getppid, 2, first), 0);
	assert_int_equal(seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(7), SYS_getppid, 1, second), 0);
	assert_int_equal(seccomp_export_bpf(ctx, fd), 0);
	n = pread(fd, buf, sizeof(buf), 0);
	close(fd);
	seccomp_release(ctx);
	assert_int_equal(sf_bpf_from_bytes(buf, (size_t)n, &prog, &err), 0);
	assert_int_equal(sf_bpf_validate(prog.insns, prog.len, &err), 0);
	memcpy(d.args, c.args, sizeof(d.args));
	assert_int_equal(sf_bpf_emulate(prog.insns, prog.len, &d, &ret, NULL, &err), 0);
	assert_true(kernel_run(sh, prog.insns, prog.len, &c, 1, &seen, &child));
	/* Whatever libseccomp makes of the rules (a fixed version gives ERRNO(99)), the emulator
	 * and the kernel run the same program. */
	struct obs emu = predict(ret, getpid());
	assert_int_equal(seen.kind, emu.kind);
	assert_int_equal(seen.value, emu.value);
	if (ret != (SECCOMP_RET_ERRNO | 99))
		print_message("libseccomp %u.%u.%u: the filter returns 0x%08x where its rules mean "
			      "ERRNO(99); the kernel agrees with the emulator\n",
			      seccomp_version()->major, seccomp_version()->minor,
			      seccomp_version()->micro, ret);
	sf_prog_free(&prog);
	munmap((void *)sh, sizeof(*sh));
#endif
}

/* ---------------------------------------------------------------------------------------------
 * Disassembly and the raw format.
 */

static void disasm_golden(void **state)
{
	const struct sock_filter p[] = {
	    /* 0 */ ST(BPF_LD | BPF_W | BPF_ABS, 4),
	    /* 1 */ JP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 3, 0),
	    /* 2 */ JP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 12, 0),
	    /* 3 */ ST(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	    /* 4 */ ST(BPF_RET | BPF_K, SECCOMP_RET_KILL_THREAD),
	    /* 5 */ ST(BPF_LD | BPF_W | BPF_ABS, 0),
	    /* 6 */ JP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 2),
	    /* 7 */ JP(BPF_JMP | BPF_JEQ | BPF_K, 0x40000000 | 0, 7, 0),
	    /* 8 */ ST(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 5000),
	    /* 9 */ JP(BPF_JMP | BPF_JEQ | BPF_K, 59, 0, 5),
	    /* 10 */ ST(BPF_LD | BPF_W | BPF_ABS, 16 + 8 + 4),
	    /* 11 */ JP(BPF_JMP | BPF_JSET | BPF_K, 0x10, 2, 0),
	    /* 12 */ ST(BPF_ST, 0),
	    /* 13 */ ST(BPF_LDX | BPF_MEM, 0),
	    /* 14 */ ST(BPF_RET | BPF_K, SECCOMP_RET_TRACE | 5),
	    /* 15 */ ST(BPF_LD | BPF_W | BPF_ABS, 0),
	    /* 16 */ JP(BPF_JMP | BPF_JEQ | BPF_K, 11, 1, 0),
	    /* 17 */ ST(BPF_JMP | BPF_JA, 0),
	    /* 18 */ JP(BPF_JMP | BPF_JEQ | BPF_K, 3, 0, 1),
	    /* 19 */ ST(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1),
	    /* 20 */ ST(BPF_LD | BPF_W | BPF_ABS, 8),
	    /* 21 */ ST(BPF_ALU | BPF_AND | BPF_X, 0),
	    /* 22 */ ST(BPF_RET | BPF_A, 0),
	};
	static const char want[] =
	    "   0: ld [arch]\n"
	    "   1: jeq #0xc000003e, L5, L2      ; AUDIT_ARCH_X86_64\n"
	    "L2:\n"
	    "   2: jeq #0x40000003, L15, L3     ; AUDIT_ARCH_I386\n"
	    "L3:\n"
	    "   3: ret KILL_PROCESS\n"
	    "   4: ret KILL_THREAD\n"
	    "L5:\n"
	    "   5: ld [nr]\n"
	    "   6: jge #0x40000000, L7, L9      ; x32 syscalls\n"
	    "L7:\n"
	    "   7: jeq #0x40000000, L15, L8     ; read (x32)\n"
	    "L8:\n"
	    "   8: ret ERRNO(5000)              ; the kernel caps the errno at 4095\n"
	    "L9:\n"
	    "   9: jeq #0x3b, L10, L15          ; execve\n"
	    "L10:\n"
	    "  10: ld [args[1].hi]\n"
	    "  11: jset #0x10, L14, L12\n"
	    "L12:\n"
	    "  12: st M[0]\n"
	    "  13: ldx M[0]\n"
	    "L14:\n"
	    "  14: ret TRACE(5)\n"
	    "L15:\n"
	    "  15: ld [nr]\n"
	    "  16: jeq #0xb, L18, L17           ; execve\n"
	    "L17:\n"
	    "  17: ja L18\n"
	    "L18:\n"
	    "  18: jeq #0x3, L19, L20           ; read\n"
	    "L19:\n"
	    "  19: ret ERRNO(1)\n"
	    "L20:\n"
	    "  20: ld [ip.lo]\n"
	    "  21: and x\n"
	    "  22: ret a\n";
	struct sf_buf b = {0};

	assert_int_equal(sf_bpf_validate(p, NINSNS(p), NULL), 0);
	assert_int_equal(sf_bpf_disasm(p, NINSNS(p), sf_arch_find("x86"), &b), 0);
	assert_string_equal(b.data, want);
	sf_buf_free(&b);
}

static void disasm_invalid_programs(void **state)
{
	const struct sock_filter p[] = {JP(BPF_JMP | BPF_JEQ | BPF_K, 1, 7, 0),
					ST(BPF_LD | BPF_W | BPF_ABS, 6), ST(0x1234, 9),
					ST(BPF_LD | BPF_H | BPF_ABS, 2), ST(BPF_JMP | BPF_JA, 100)};
	static const char want[] = "  0: jeq #0x1, L8, L1             ; jumps past the end\n"
				   "L1:\n"
				   "  1: ld [0x6]\n"
				   "  2: unknown code 0x1234, jt 0, jf 0, k 0x9\n"
				   "  3: ldh [0x2]\n"
				   "  4: ja L105                      ; jumps past the end\n";
	struct sf_buf b = {0};

	assert_int_equal(sf_bpf_disasm(p, NINSNS(p), NULL, &b), 0);
	assert_string_equal(b.data, want);
	sf_buf_free(&b);
	assert_int_equal(sf_bpf_disasm(p, 0, NULL, &b), 0);
	assert_null(b.data);
}

static void raw_format_errors(void **state)
{
	struct sock_filter two[2] = {ST(BPF_LD | BPF_W | BPF_ABS, 0), ST(BPF_RET | BPF_A, 0)};
	static struct sock_filter big[SF_BPF_MAXINSNS + 1];
	struct sf_prog prog = {0};
	struct sf_error err = {0};
	char path[] = "/tmp/sf-test-bpf-XXXXXX";
	int fd;

	assert_int_equal(sf_bpf_from_bytes(two, sizeof(two), &prog, &err), 0);
	assert_int_equal(prog.len, 2);
	assert_memory_equal(prog.insns, two, sizeof(two));
	sf_prog_free(&prog);
	assert_null(prog.insns);
	assert_int_equal(prog.len, 0);
	sf_prog_free(&prog);
	sf_prog_free(NULL);

	assert_int_equal(sf_bpf_from_bytes(two, 0, &prog, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "empty"));
	assert_int_equal(sf_bpf_from_bytes(two, 13, &prog, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "size 13 is not a multiple of 8"));
	assert_null(prog.insns);
	assert_int_equal(sf_bpf_from_bytes(big, sizeof(big), &prog, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "4097 instructions"));
	assert_int_equal(sf_bpf_from_bytes(big, sizeof(big) - 8, &prog, &err), 0);
	assert_int_equal(prog.len, SF_BPF_MAXINSNS);
	sf_prog_free(&prog);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, two, 12), 12);
	close(fd);
	assert_int_equal(sf_bpf_read_raw(path, &prog, &err), -EINVAL);
	assert_string_equal(err.file, path);
	assert_non_null(strstr(err.msg, "size 12"));
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, two, sizeof(two)), (ssize_t)sizeof(two));
	close(fd);
	assert_int_equal(sf_bpf_read_raw(path, &prog, &err), 0);
	assert_int_equal(prog.len, 2);
	sf_prog_free(&prog);
	unlink(path);
	assert_int_equal(sf_bpf_read_raw(path, &prog, &err), -ENOENT);
	assert_string_equal(err.file, path);
}

int main(void)
{
	/*
	 * The tests that fork thousands of children come first, while this process is small:
	 * under ASan, freed memory stays in quarantine and every later fork copies its mappings.
	 */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(validate_matches_kernel),
	    cmocka_unit_test(emulate_matches_kernel),
	    cmocka_unit_test(emulate_semantics_confirmed_by_kernel),
	    cmocka_unit_test(validate_rules),
	    cmocka_unit_test(validate_lengths),
	    cmocka_unit_test(emulate_div_by_x_zero_returns_0),
	    cmocka_unit_test(emulate_shift_by_x_uses_low_5_bits),
	    cmocka_unit_test(emulate_reads_seccomp_data_in_host_order),
	    cmocka_unit_test(emulate_arithmetic_wraps_at_32_bits),
	    cmocka_unit_test(emulate_counts_steps),
	    cmocka_unit_test(emulate_refuses_invalid_programs),
	    cmocka_unit_test(ret_describe_names_actions),
	    cmocka_unit_test(disasm_golden),
	    cmocka_unit_test(disasm_invalid_programs),
	    cmocka_unit_test(raw_format_errors),
	    cmocka_unit_test(libseccomp_multi_rule_bug),
	    cmocka_unit_test(libseccomp_filters_mean_their_rules),
	    cmocka_unit_test(emulate_speed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
