/*
 * What can be verified about a downloaded archive when the publisher gives
 * no checksum: the compression matches the name, the whole stream inflates
 * without error (this catches truncation and, through the gzip CRC-32 and
 * the bzip2 block CRCs, corruption), and the decoded bytes begin with a
 * plausible MRT common header (RFC 6396 section 2).
 */
#include <stdio.h>
#include <string.h>

#include "fetch/fetch.h"
#include "util/err.h"
#include "input/input.h"
#include "mrt/mrt.h"
#include "util/rd.h"

#define MRT_HDR_LEN	12
#define MRT_MAX_LEN	(64u << 20)
#define MRT_MIN_TIME	631152000u	/* 1990-01-01 */

static bool
ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

static int
check_codec(const struct input *in, const char *name, char *why, size_t len)
{
	enum input_codec want;

	if (name == NULL)
		return 0;
	if (ends_with(name, ".gz"))
		want = INPUT_GZIP;
	else if (ends_with(name, ".bz2"))
		want = INPUT_BZIP2;
	else
		return 0;
	if (input_codec(in) == want)
		return 0;
	snprintf(why, len, "expected %s data, found %s",
	    input_codec_name(want), input_codec_name(input_codec(in)));
	return LL_EVERIFY;
}

static int
check_header(const uint8_t *p, char *why, size_t len)
{
	struct rd r = rd_make(p, MRT_HDR_LEN);
	uint32_t ts = rd_be32(&r);
	uint16_t type = rd_be16(&r), subtype = rd_be16(&r);
	uint32_t mlen = rd_be32(&r);

	if (!rd_ok(&r))
		return LL_EVERIFY;
	if (!mrt_type_known(type, subtype)) {
		snprintf(why, len, "offset 0: MRT type %u subtype %u unknown "
		    "(RFC 6396 section 4)", type, subtype);
		return LL_EVERIFY;
	}
	if (mlen > MRT_MAX_LEN) {
		snprintf(why, len, "offset 0: MRT length %u over %u",
		    mlen, MRT_MAX_LEN);
		return LL_EVERIFY;
	}
	if (ts < MRT_MIN_TIME) {
		snprintf(why, len, "offset 0: MRT timestamp %u before 1990",
		    ts);
		return LL_EVERIFY;
	}
	return 0;
}

/* Reads the stream to its end; returns 0 or LL_EVERIFY with a reason. */
static int
drain(struct input *in, char *why, size_t len)
{
	const uint8_t *p;
	size_t avail;
	int rc;

	for (;;) {
		rc = input_peek(in, 1, &p, &avail);
		if (rc != 0) {
			snprintf(why, len, "decompression failed after %llu "
			    "bytes: %s", (unsigned long long)input_offset(in) +
			    avail, *input_errmsg(in) != '\0' ?
			    input_errmsg(in) : ll_strerror(rc));
			return LL_EVERIFY;
		}
		if (avail == 0)
			return 0;
		input_consume(in, avail);
	}
}

int
fetch_verify(const char *path, const char *name, char *why, size_t whylen)
{
	struct input *in = NULL;
	const uint8_t *p;
	size_t avail;
	char dummy[8];
	int rc;

	if (why == NULL || whylen == 0) {
		why = dummy;
		whylen = sizeof(dummy);
	}
	why[0] = '\0';
	if (input_open(path, NULL, &in) != 0) {
		snprintf(why, whylen, "cannot open");
		return LL_EIO;
	}
	if ((rc = check_codec(in, name, why, whylen)) != 0)
		goto out;
	rc = input_peek(in, MRT_HDR_LEN, &p, &avail);
	if (rc == 0 && avail > 0 && avail < MRT_HDR_LEN) {
		snprintf(why, whylen, "stream ends inside the first MRT "
		    "header (%zu bytes)", avail);
		rc = LL_EVERIFY;
		goto out;
	}
	if (rc == 0 && avail > 0 && (rc = check_header(p, why, whylen)) != 0)
		goto out;
	rc = drain(in, why, whylen);
out:
	input_free(in);
	return rc;
}
