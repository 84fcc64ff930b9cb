/* sysfence — the whole public API. */
#ifndef SYSFENCE_H
#define SYSFENCE_H

#include <sysfence/arch.h>
#include <sysfence/audit.h>
#include <sysfence/bpf.h>
#include <sysfence/compile.h>
#include <sysfence/doc.h>
#include <sysfence/enforce.h>
#include <sysfence/error.h>
#include <sysfence/inspect.h>
#include <sysfence/k8s.h>
#include <sysfence/profile.h>
#include <sysfence/record.h>
#include <sysfence/status.h>



#ifdef __cplusplus
extern "C" {
#endif
const char *sf_version(void);
#ifdef __cplusplus
}
#endif

#endif
