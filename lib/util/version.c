/* The library's version. */
#include <sysfence/sysfence.h>

const char *sf_version(void)
{
	return SYSFENCE_VERSION_STRING;
}
