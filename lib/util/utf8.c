/* UTF-8 validation shared by the readers and writers. */
#include "util.h"

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, surrogates or > U+10FFFF), or
 * 0 when it is not valid. */
size_t sf_utf8_len(const unsigned char *s, const unsigned char *end)
{
	size_t avail = (size_t)(end - s);
	unsigned c = s[0], lo = 0x80, hi = 0xBF;

	if (c < 0x80)
		return 1;
	if (c < 0xC2 || c > 0xF4)
		return 0;
	if (c < 0xE0)
		return avail >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c == 0xE0 || c == 0xF0)
		lo = c == 0xE0 ? 0xA0 : 0x90;
	else if (c == 0xED || c == 0xF4)
		hi = c == 0xED ? 0x9F : 0x8F;
	if (avail < 2 || s[1] < lo || s[1] > hi)
		return 0;
	if (avail < 3 || (s[2] & 0xC0) != 0x80)
		return 0;
	if (c < 0xF0)
		return 3;
	return avail >= 4 && (s[3] & 0xC0) == 0x80 ? 4 : 0;
}
