/*
 * sf_bpf_emulate: run a seccomp filter on a seccomp_data exactly as the kernel does once it has
 * converted the classic program (net/core/filter.c bpf_convert_filter) and runs it. Also the
 * description of return values and sf_prog_free.
 */
#include <errno.h>
#include <stdio.h>

#include <sysfence/bpf.h>

#include "util/util.h"

void sf_prog_free(struct sf_prog *p)
{
	if (!p)
		return;
	free(p->insns);
	p->insns = NULL;
	p->len = 0;
}

/* Kept out of line: the loop below stays small and its error paths cold. */
static __attribute__((noinline, cold)) int refuse(struct sf_error *err, size_t pc,
						  const struct sock_filter *f, const char *why)
{
	return sf_error_set(err, -EINVAL,
			    "instruction %zu (code 0x%04x, jt %u, jf %u, k 0x%x): %s; the kernel "
			    "would refuse this program",
			    pc, f->code, f->jt, f->jf, f->k, why);
}

/*
 * The semantics, from bpf_convert_filter and the eBPF interpreter/JITs:
 *  - A and X start at 0; all arithmetic is on 32 bits, comparisons are unsigned;
 *  - ld [k] reads the 32-bit word at offset k of seccomp_data in host byte order;
 *  - ld/ldx len give sizeof(struct seccomp_data) (seccomp_check_filter rewrites them);
 *  - div x with X == 0 ends the program with return value 0 (SECCOMP_RET_KILL_THREAD);
 *  - shifts by X use the low 5 bits of X (shifts by a constant >= 32 are refused at load).
 * Anything the kernel would refuse to load gives -EINVAL when it is executed; scratch words are
 * tracked so that a read of one not written on this path is refused rather than undefined.
 */
int sf_bpf_emulate(const struct sock_filter *insns, size_t len, const struct seccomp_data *d,
		   uint32_t *ret, size_t *steps, struct sf_error *err)
{
	const unsigned char *data = (const unsigned char *)d;
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS];
	uint32_t written = 0; /* bit i: mem[i] holds a value on this path */
	size_t pc = 0, n = 0;
	bool cond;

	if (!insns || !d || !ret)
		return sf_error_set(err, -EINVAL, "sf_bpf_emulate: missing argument");
	if (len == 0 || len > SF_BPF_MAXINSNS)
		return sf_error_set(err, -EINVAL,
				    "%zu instructions: the kernel accepts 1 to %d in one filter",
				    len, SF_BPF_MAXINSNS);

	while (pc < len) {
		const struct sock_filter *f = &insns[pc++];
		const uint32_t k = f->k;

		n++;
		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (k >= sizeof(*d) || (k & 3))
				return refuse(err, pc - 1, f,
					      "load outside seccomp_data or unaligned");
			memcpy(&a, data + k, sizeof(a));
			continue;
		case BPF_LD | BPF_W | BPF_LEN:
			a = sizeof(*d);
			continue;
		case BPF_LDX | BPF_W | BPF_LEN:
			x = sizeof(*d);
			continue;
		case BPF_LD | BPF_IMM:
			a = k;
			continue;
		case BPF_LDX | BPF_IMM:
			x = k;
			continue;
		case BPF_LD | BPF_MEM:
			if (k >= BPF_MEMWORDS || !(written & (1u << k)))
				return refuse(err, pc - 1, f,
					      "scratch word out of range or not written");
			a = mem[k];
			continue;
		case BPF_LDX | BPF_MEM:
			if (k >= BPF_MEMWORDS || !(written & (1u << k)))
				return refuse(err, pc - 1, f,
					      "scratch word out of range or not written");
			x = mem[k];
			continue;
		case BPF_ST:
			if (k >= BPF_MEMWORDS)
				return refuse(err, pc - 1, f, "scratch word out of range");
			mem[k] = a;
			written |= 1u << k;
			continue;
		case BPF_STX:
			if (k >= BPF_MEMWORDS)
				return refuse(err, pc - 1, f, "scratch word out of range");
			mem[k] = x;
			written |= 1u << k;
			continue;
		case BPF_MISC | BPF_TAX:
			x = a;
			continue;
		case BPF_MISC | BPF_TXA:
			a = x;
			continue;

		case BPF_ALU | BPF_ADD | BPF_K:
			a += k;
			continue;
		case BPF_ALU | BPF_ADD | BPF_X:
			a += x;
			continue;
		case BPF_ALU | BPF_SUB | BPF_K:
			a -= k;
			continue;
		case BPF_ALU | BPF_SUB | BPF_X:
			a -= x;
			continue;
		case BPF_ALU | BPF_MUL | BPF_K:
			a *= k;
			continue;
		case BPF_ALU | BPF_MUL | BPF_X:
			a *= x;
			continue;
		case BPF_ALU | BPF_DIV | BPF_K:
			if (k == 0)
				return refuse(err, pc - 1, f, "division by the constant 0");
			a /= k;
			continue;
		case BPF_ALU | BPF_DIV | BPF_X:
			if (x == 0) {
				*ret = 0;
				goto out;
			}
			a /= x;
			continue;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= k;
			continue;
		case BPF_ALU | BPF_AND | BPF_X:
			a &= x;
			continue;
		case BPF_ALU | BPF_OR | BPF_K:
			a |= k;
			continue;
		case BPF_ALU | BPF_OR | BPF_X:
			a |= x;
			continue;
		case BPF_ALU | BPF_XOR | BPF_K:
			a ^= k;
			continue;
		case BPF_ALU | BPF_XOR | BPF_X:
			a ^= x;
			continue;
		case BPF_ALU | BPF_LSH | BPF_K:
			if (k >= 32)
				return refuse(err, pc - 1, f, "shift by a constant of 32 or more");
			a <<= k;
			continue;
		case BPF_ALU | BPF_LSH | BPF_X:
			a <<= x & 31;
			continue;
		case BPF_ALU | BPF_RSH | BPF_K:
			if (k >= 32)
				return refuse(err, pc - 1, f, "shift by a constant of 32 or more");
			a >>= k;
			continue;
		case BPF_ALU | BPF_RSH | BPF_X:
			a >>= x & 31;
			continue;
		case BPF_ALU | BPF_NEG:
			a = 0u - a;
			continue;

		case BPF_JMP | BPF_JA:
			if (k >= len - pc)
				return refuse(err, pc - 1, f, "jump past the last instruction");
			pc += k;
			continue;
		case BPF_JMP | BPF_JEQ | BPF_K:
			cond = a == k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_X:
			cond = a == x;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			cond = a > k;
			break;
		case BPF_JMP | BPF_JGT | BPF_X:
			cond = a > x;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			cond = a >= k;
			break;
		case BPF_JMP | BPF_JGE | BPF_X:
			cond = a >= x;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			cond = (a & k) != 0;
			break;
		case BPF_JMP | BPF_JSET | BPF_X:
			cond = (a & x) != 0;
			break;

		case BPF_RET | BPF_K:
			*ret = k;
			goto out;
		case BPF_RET | BPF_A:
			*ret = a;
			goto out;
		default:
			return refuse(err, pc - 1, f, "not an instruction seccomp allows");
		}
		/* A conditional jump: both offsets are checked, as the kernel does at load. */
		if (f->jt >= len - pc || f->jf >= len - pc)
			return refuse(err, pc - 1, f, "jump past the last instruction");
		pc += cond ? f->jt : f->jf;
	}
	return sf_error_set(
	    err, -EINVAL,
	    "ran past the last instruction (%zu) without a return; the kernel would "
	    "refuse this program",
	    len - 1);
out:
	if (steps)
		*steps = n;
	return 0;
}

const char *sf_ret_describe(uint32_t ret, char *buf, size_t size)
{
	uint32_t data = ret & SECCOMP_RET_DATA;
	const char *name;

	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ERRNO:
		snprintf(buf, size, "ERRNO(%u)", data);
		return buf;
	case SECCOMP_RET_TRAP:
		snprintf(buf, size, "TRAP(%u)", data);
		return buf;
	case SECCOMP_RET_TRACE:
		snprintf(buf, size, "TRACE(%u)", data);
		return buf;
	case SECCOMP_RET_KILL_PROCESS:
		name = "KILL_PROCESS";
		break;
	case SECCOMP_RET_KILL_THREAD:
		name = "KILL_THREAD";
		break;
	case SECCOMP_RET_USER_NOTIF:
		name = "USER_NOTIF";
		break;
	case SECCOMP_RET_LOG:
		name = "LOG";
		break;
	case SECCOMP_RET_ALLOW:
		name = "ALLOW";
		break;
	default:
		/* The kernel treats an unknown action as KILL_PROCESS. */
		snprintf(buf, size, "UNKNOWN(0x%08x)", ret);
		return buf;
	}
	/* These actions ignore the data bits; show them when set so nothing is hidden. */
	if (data)
		snprintf(buf, size, "%s(%u)", name, data);
	else
		snprintf(buf, size, "%s", name);
	return buf;
}

void sf_seccomp_data_for(const struct sf_arch *arch, const struct seccomp_data *d,
			 struct seccomp_data *out)
{
	bool host_be = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
	*out = *d;
	if (!arch || arch->big_endian == host_be)
		return;
	/* A 32-bit load at an argument's first word must see what that kernel stores there. */
	for (int i = 0; i < 6; i++)
		out->args[i] = d->args[i] << 32 | d->args[i] >> 32;
	out->instruction_pointer = d->instruction_pointer << 32 | d->instruction_pointer >> 32;
}

uint32_t sf_ret_effect(uint32_t r)
{
	uint32_t act = r & SECCOMP_RET_ACTION_FULL, data = r & SECCOMP_RET_DATA;
	switch (act) {
	case SECCOMP_RET_KILL_PROCESS:
	case SECCOMP_RET_KILL_THREAD:
	case SECCOMP_RET_USER_NOTIF:
	case SECCOMP_RET_LOG:
	case SECCOMP_RET_ALLOW:
		return act;
	case SECCOMP_RET_TRAP:
	case SECCOMP_RET_TRACE:
		return r;
	case SECCOMP_RET_ERRNO:
		return act | (data > 4095 ? 4095 : data);
	default:
		return SECCOMP_RET_KILL_PROCESS;
	}
}
