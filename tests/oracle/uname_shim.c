/*
 * LD_PRELOAD shim for the oracle: uname(2) as the kernel answers it, with
 * any field overridden by PYSTAT_UNAME_{SYSNAME,NODENAME,RELEASE,MACHINE}.
 * sysstat prints uname in its banner and JSON; a fixture records the uname
 * of the machine it was captured on (tests/oracle/oracle.py builds this).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

static void put(char *dst, const char *var)
{
	const char *v = getenv(var);

	if (v) {
		strncpy(dst, v, _UTSNAME_LENGTH - 1);
		dst[_UTSNAME_LENGTH - 1] = '\0';
	}
}

int uname(struct utsname *buf)
{
	if (syscall(SYS_uname, buf) != 0)
		return -1;
	put(buf->sysname, "PYSTAT_UNAME_SYSNAME");
	put(buf->nodename, "PYSTAT_UNAME_NODENAME");
	put(buf->release, "PYSTAT_UNAME_RELEASE");
	put(buf->machine, "PYSTAT_UNAME_MACHINE");
	return 0;
}
