/* hello32: built with gcc -m32 -static, so that its calls go through the i386 ABI (int $0x80
 * or the vDSO's sysenter): prints "hello from i386" and exits 0. */
#include <stdio.h>

int main(void)
{
	printf("hello from i386\n");
	return 0;
}
