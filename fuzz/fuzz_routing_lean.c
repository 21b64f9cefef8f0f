/*
 * libFuzzer target: the routing monitors' lean path (src/routing/
 * monitor_facts.c, the lean half of src/routing/monitor.c) against their
 * full one. The input is one MRT record. When the lean decode takes it,
 * the facts read from its AS path bytes must equal those of the decoded
 * path, and a monitor fed the lean record must raise the same alerts, in
 * the same order, as one fed the full decoder's elements. Any
 * disagreement aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/bgp.h"
#include "mrt/mrt.h"
#include "routing/routing.h"
#include "routing/routing_int.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Wide nets so that the monitors fire: every origin but 64500 of the
 * watched space is a hijack, transit ASes with lists, an RPKI origin. */
static const char watch_yml[] =
    "0.0.0.0/1:\n  asn: 64500\n  ignoreMorespecifics: false\n"
    "128.0.0.0/2:\n  asn: 0\n"
    "2000::/3:\n  asn: [64500, 64501]\n"
    "options:\n  monitorASns:\n"
    "    174: { upstreams: [1, 2], downstreams: [3] }\n"
    "    3356: { upstreams: [174] }\n"
    "    1: { downstreams: [174] }\n";
static const char vrps_csv[] =
    "ASN,IP Prefix,Max Length,Trust Anchor\n"
    "AS1,0.0.0.0/1,24,t\nAS174,2000::/3,48,t\n";

struct seen {
	uint32_t	n;
	uint64_t	h;		/* of the alerts, in order */
};

static int
on_alert(void *ctx, const struct routing_alert *a)
{
	struct seen *s = ctx;
	uint64_t v[4] = { (uint64_t)a->type << 32 | a->final,
	    (uint64_t)a->origin << 32 | a->neighbour,
	    (uint64_t)a->first_seen << 32 | a->last_seen,
	    (uint64_t)a->npeers << 32 | a->prefix.len };

	for (int i = 0; i < 4; i++)
		s->h = (s->h ^ v[i]) * 0x100000001b3ULL;
	s->n++;
	return 0;
}

static int
on_elem(void *ctx, const struct mrt_elem *e)
{
	return routing_monitor_elem(ctx, e);
}

/* The facts against the decoded path. */
static void
check_facts(const struct routing_watchlist *w, const struct mrt_lean *l,
    const struct routing_lean_facts *f)
{
	struct bgp_asseg seg[LEAN_SEGS];
	uint32_t asn[LEAN_ASNS];
	struct routing_lean_nb v[ROUTING_LEAN_NB];
	struct bgp_aspath path;
	uint8_t n;

	if (!f->announces)
		return;
	if (bgp_lean_path(&l->bgp, &path, seg, LEAN_SEGS, asn,
	    LEAN_ASNS) != 0 || f->origin != routing_origin(&path))
		abort();
	routing_path_neighbours(w, &path, v, &n);
	if (n != f->nnb)
		abort();
	for (uint8_t i = 0; i < n; i++)
		if (v[i].type != f->nb[i].type || v[i].a != f->nb[i].a ||
		    v[i].b != f->nb[i].b || v[i].wa != f->nb[i].wa)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct routing_watchlist *w;
	static struct routing_vrps *vrps;
	struct routing_monitor_opts o = { .min_peers = 1, .min_peers_loss = 1 };
	struct routing_monitor *lean = NULL, *full = NULL;
	struct seen sl = { 0, 0 }, sf = { 0, 0 };
	struct routing_lean_facts f;
	struct mrt_decoder *d = NULL;
	const struct mrt_record *rec;
	const char *what;
	struct mrt_lean l;
	char err[256];

	if (w == NULL && (routing_watch_parse("fuzz.yml",
	    (const uint8_t *)watch_yml, sizeof(watch_yml) - 1, &w, err,
	    sizeof(err)) != 0 || routing_vrps_new(&vrps) != 0 ||
	    routing_vrps_parse(vrps, "fuzz.csv", (const uint8_t *)vrps_csv,
	    sizeof(vrps_csv) - 1, NULL, NULL, err, sizeof(err)) != 0 ||
	    routing_vrps_index(vrps) != 0))
		abort();
	if (!mrt_lean_decode(data, size, &l) ||
	    routing_lean_facts(w, &l, &f) != 0)
		return 0;
	check_facts(w, &l, &f);
	o.vrps = vrps;
	if (routing_monitor_new(w, &o, on_alert, &sl, &lean) != 0 ||
	    routing_monitor_new(w, &o, on_alert, &sf, &full) != 0 ||
	    mrt_decoder_new(&d) != 0)
		abort();
	/* the lean decode takes only what the full decoder decodes */
	if (mrt_decode(d, data, size, &rec, &what) != MRT_DEC_RECORD ||
	    routing_monitor_lean(lean, &l, &f) != 0 ||
	    mrt_record_elems(rec, on_elem, full) != 0 ||
	    routing_monitor_finish(lean) != 0 ||
	    routing_monitor_finish(full) != 0)
		abort();
	if (sl.n != sf.n || sl.h != sf.h)
		abort();
	routing_monitor_free(lean);
	routing_monitor_free(full);
	mrt_decoder_free(d);
	return 0;
}
