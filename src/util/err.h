/*
 * Project-wide error codes. Library functions return int: 0 on success,
 * a negative LL_E* code on failure (libuv's convention). ll_strerror()
 * gives a short English phrase for each.
 */
#ifndef LL_UTIL_ERR_H
#define LL_UTIL_ERR_H

enum ll_err {
	LL_OK = 0,
	LL_ENOMEM = -1,		/* allocation failed */
	LL_EIO = -2,		/* read/write failed (see errno) */
	LL_EFORMAT = -3,	/* input is malformed */
	LL_ETRUNC = -4,		/* input ends early */
	LL_ELIMIT = -5,		/* a size from input exceeds a cap */
	LL_EINVAL = -6,		/* bad argument from the caller */
	LL_ENOTFOUND = -7,	/* no such thing */
	LL_EUNSUP = -8,		/* valid but unsupported */
	LL_EDB = -9,		/* database error */
	LL_ENET = -10,		/* network / transfer error */
	LL_EEXIST = -11,	/* already there */
	LL_EINTR = -12,		/* interrupted by the caller */
	LL_EVERIFY = -13,	/* checksum / verification failed */
};

/* Returns a static string describing rc; never NULL. */
const char *ll_strerror(int rc);

#endif
