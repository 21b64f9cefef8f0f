#include "util/err.h"

const char *
ll_strerror(int rc)
{
	switch (rc) {
	case LL_OK:		return "success";
	case LL_ENOMEM:		return "out of memory";
	case LL_EIO:		return "input/output error";
	case LL_EFORMAT:	return "malformed input";
	case LL_ETRUNC:		return "truncated input";
	case LL_ELIMIT:		return "size limit exceeded";
	case LL_EINVAL:		return "invalid argument";
	case LL_ENOTFOUND:	return "not found";
	case LL_EUNSUP:		return "unsupported";
	case LL_EDB:		return "database error";
	case LL_ENET:		return "network error";
	case LL_EEXIST:		return "already exists";
	case LL_EINTR:		return "interrupted";
	case LL_EVERIFY:	return "verification failed";
	}
	return "unknown error";
}
