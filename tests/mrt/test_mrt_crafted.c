/*
 * The MRT reader on the crafted files of tests/data/bgp (written by its
 * make.sh): what each must give is stated there, from how the bytes are
 * laid out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <cmocka.h>

#include "bgp/bgp.h"
#include "input/input.h"
#include "mrt/mrt.h"
#include "testutil.h"
#include "util/err.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

struct seen {
	unsigned	 n;
	int		 code;
	uint64_t	 off;
	char		 what[512];
};

static void
on_error(void *ctx, const struct mrt_error *e)
{
	struct seen *s = ctx;

	if (s->n++ == 0) {
		s->code = e->code;
		s->off = e->offset;
		snprintf(s->what, sizeof(s->what), "%s", e->what);
	}
}

/* Opens the file of tests/data/bgp; the reader has the given cap. */
static void
open_crafted(const char *name, uint32_t max_record, struct seen *s,
    struct input **in, struct mrt_reader **r)
{
	struct mrt_reader_opts o = { false, max_record, on_error, s };
	char rel[256];

	snprintf(rel, sizeof(rel), "bgp/%s", name);
	assert_int_equal(input_open(test_data(rel), NULL, in), 0);
	assert_int_equal(mrt_reader_new(*in, name, &o, r), 0);
}

/* 40 entries of 18 octets, the smallest TABLE_DUMP entry, in one record:
 * all are read, none refused as "too many". */
static void
td1_smallest_entries(void **unused)
{
	struct seen s = { 0 };
	struct input *in;
	struct mrt_reader *r;
	const struct mrt_record *rec;

	(void)unused;
	open_crafted("td1_empty_attrs.mrt", 0, &s, &in, &r);
	assert_int_equal(mrt_reader_next(r, &rec), MRT_NEXT_RECORD);
	assert_int_equal(rec->type, MRT_T_TABLE_DUMP);
	assert_int_equal(rec->kind, MRT_K_RIB);
	assert_int_equal(rec->n_entries, 40);
	for (uint32_t i = 0; i < 40; i++) {
		const struct mrt_rib_entry *e = &rec->entries[i];
		assert_int_equal(e->prefix.len, 24);
		assert_int_equal(e->prefix.a[2], i);	/* 198.51.i.0/24 */
		assert_int_equal(e->attrs.seen, 0);
		assert_int_equal(e->peer->asn, 65000);
	}
	assert_int_equal(mrt_reader_next(r, &rec), MRT_NEXT_END);
	assert_int_equal(s.n, 0);
	mrt_reader_free(r);
	input_free(in);
}

/* MP_REACH of BGP-LS, and of an unknown AFI whose next hop length runs
 * past the attribute: the attribute is skipped, the UPDATE's classic NLRI
 * delivered. */
static void
unknown_family_mp_reach_skipped(void **unused)
{
	static const char *files[] = { "bgpls_update.mrt",
	    "unknown_afi_update.mrt" };
	static const uint16_t afi[] = { BGP_AFI_BGPLS, 0x00ff };

	(void)unused;
	for (int k = 0; k < 2; k++) {
		struct seen s = { 0 };
		struct input *in;
		struct mrt_reader *r;
		const struct mrt_record *rec;

		open_crafted(files[k], 0, &s, &in, &r);
		assert_int_equal(mrt_reader_next(r, &rec), MRT_NEXT_RECORD);
		assert_int_equal(rec->kind, MRT_K_MESSAGE);
		const struct bgp_attrs *a = &rec->update.attrs;
		assert_true(a->seen & BGP_ATTR_BIT(BGP_ATTR_MP_REACH_NLRI));
		assert_int_equal(a->mp_reach.afi, afi[k]);
		assert_int_equal(a->mp_reach.n, 0);
		assert_int_equal(a->mp_nexthop.af, 0);
		assert_int_equal(rec->update.announced.n, 1);
		assert_int_equal(rec->update.announced.v[0].pfx.a[2], 100 + k);
		assert_int_equal(mrt_reader_next(r, &rec), MRT_NEXT_END);
		assert_int_equal(s.n, 0);
		mrt_reader_free(r);
		input_free(in);
	}
}

/* The lean decode reads those records as the full one does: one
 * announcement, the MP_REACH skipped. */
static void
lean_decode_skips_other_families(void **unused)
{
	static const char *files[] = { "bgpls_update.mrt",
	    "unknown_afi_update.mrt" };

	(void)unused;
	for (int k = 0; k < 2; k++) {
		char rel[64];
		uint8_t buf[256];
		struct mrt_lean l;
		FILE *f;

		snprintf(rel, sizeof(rel), "bgp/%s", files[k]);
		assert_non_null(f = fopen(test_data(rel), "rb"));
		size_t n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		assert_true(mrt_lean_decode(buf, n, &l));
		assert_int_equal(l.ts, 1700000000);
		assert_int_equal(l.peer_asn, 65000);
		assert_int_equal(l.bgp.origin, 65000);
		assert_int_equal(l.bgp.run[BGP_LEAN_ANNOUNCED].n, 1);
		assert_int_equal(l.bgp.run[BGP_LEAN_MP_REACH].n, 0);
		assert_int_equal(l.bgp.run[BGP_LEAN_WITHDRAWN].n, 0);
		/* one octet short: declined, the full decoder reports it */
		assert_false(mrt_lean_decode(buf, n - 1, &l));
	}
}

/*
 * A record of 3.75 GiB that the reader is allowed: no window that large can
 * be had (the sanitizer's allocator is capped at 1 GiB in main(), a plain
 * build's address space here), and that is reported as what it is, out of
 * memory, not as a stream cut short.
 */
static void
no_memory_is_not_truncation(void **unused)
{
	struct seen s = { 0 };
	struct input *in;
	struct mrt_reader *r;
	const struct mrt_record *rec;

	(void)unused;
#ifndef UNDER_ASAN
	struct rlimit rl = { 2ul << 30, 2ul << 30 };
	assert_int_equal(setrlimit(RLIMIT_AS, &rl), 0);
#endif
	open_crafted("huge_record.mrt.gz", UINT32_MAX, &s, &in, &r);
	assert_int_equal(mrt_reader_next(r, &rec), MRT_NEXT_RECORD);
	assert_int_equal(mrt_reader_next(r, &rec), MRT_NEXT_END);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.code, LL_ENOMEM);
	assert_int_equal(s.off, 79);
	assert_string_equal(s.what, "out of memory for the BGP4MP record of "
	    "4026531852 bytes");
	assert_false(mrt_reader_stats(r)->truncated);
	mrt_reader_free(r);
	input_free(in);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(td1_smallest_entries),
		cmocka_unit_test(unknown_family_mp_reach_skipped),
		cmocka_unit_test(lean_decode_skips_other_families),
		cmocka_unit_test(no_memory_is_not_truncation),
	};

	(void)argc;
	(void)argv;
#ifdef UNDER_ASAN
	/* The sanitizer reads its options at start: run again with an
	 * allocator that fails past 1 GiB instead of aborting. */
	const char *o = getenv("ASAN_OPTIONS");
	if (o == NULL || strstr(o, "max_allocation_size_mb") == NULL) {
		char buf[1024];
		snprintf(buf, sizeof(buf), "%s%sallocator_may_return_null=1:"
		    "max_allocation_size_mb=1024", o ? o : "", o ? ":" : "");
		setenv("ASAN_OPTIONS", buf, 1);
		execv("/proc/self/exe", argv);
		return 1;
	}
#endif
	return test_main("mrt_crafted", tests, NULL, NULL);
}
