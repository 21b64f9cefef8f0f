/*
 * M-Lab NDT results (ndt5 and ndt7, download and upload), one JSON
 * document a file or JSON Lines. Per entity and hour: the median
 * throughput (ndt.down, ndt.up, Mbit/s), the minimum RTT (ndt.rtt, ms),
 * and the number of tests behind each (ndt.down.tests, ndt.up.tests,
 * ndt.rtt.tests). docs/data.md says which fields are read.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "import/import_int.h"
#include "net/entity.h"
#include "util/err.h"
#include "util/time.h"

/* One test's values; NAN when it has none. */
struct ndt_test {
	const char	*dir;		/* "down", "up" */
	int64_t		 t;
	double		 mbps, rtt_ms;
};

static bool
ndt_time(json_t *o, const char *key, int64_t *t)
{
	const char *s = json_string_value(json_object_get(o, key));
	char buf[32];
	size_t n;

	/* "2019-08-22T19:44:26.791459744Z": the second is enough. */
	if (s == NULL || (n = strcspn(s, ".Z")) < 19 || n >= sizeof(buf) - 1)
		return false;
	memcpy(buf, s, n);
	buf[n] = 'Z';
	buf[n + 1] = '\0';
	return ll_time_parse(buf, t) == 0;
}

static double
num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* ndt7: the last server measurement's TCPInfo. */
static bool
ndt7_test(json_t *m, bool down, struct ndt_test *x)
{
	json_t *sm = json_object_get(m, "ServerMeasurements"), *ti;
	double bytes, el, minrtt;

	if (!json_is_array(sm) || json_array_size(sm) == 0)
		return false;
	ti = json_object_get(json_array_get(sm, json_array_size(sm) - 1),
	    "TCPInfo");
	bytes = num(ti, down ? "BytesAcked" : "BytesReceived");
	el = num(ti, "ElapsedTime");		/* microseconds */
	minrtt = num(ti, "MinRTT");		/* microseconds */
	if (!(bytes >= 0) || !(el > 0))
		return false;
	x->mbps = bytes * 8 / el;		/* bits a microsecond */
	if (!isfinite(x->mbps))
		return false;
	x->rtt_ms = minrtt > 0 ? minrtt / 1000 : NAN;
	return true;
}

/* The tests of one result: up to two (ndt5 gives both directions). */
static int
ndt_tests(json_t *doc, struct ndt_test *x, const char **why)
{
	json_t *d = json_object_get(doc, "Download"),
	    *u = json_object_get(doc, "Upload"),
	    *s2c = json_object_get(doc, "S2C"),
	    *c2s = json_object_get(doc, "C2S");
	int n = 0;

	*why = "no Download, Upload, S2C or C2S measurement";
	if (json_is_object(d) || json_is_object(u)) {
		json_t *m = json_is_object(d) ? d : u;
		x[0].dir = m == d ? "down" : "up";
		*why = "an ndt7 result without a usable last TCPInfo";
		if (!ndt_time(m, "StartTime", &x[0].t) ||
		    !ndt7_test(m, m == d, &x[0]))
			return 0;
		return 1;
	}
	if (!json_is_object(s2c) && !json_is_object(c2s))
		return 0;
	*why = "an ndt5 result without a time or MeanThroughputMbps";
	if (json_is_object(s2c)) {
		x[n] = (struct ndt_test){ .dir = "down",
		    .mbps = num(s2c, "MeanThroughputMbps"),
		    .rtt_ms = num(s2c, "MinRTT") / 1e6 };	/* ns */
		if (!(x[n].rtt_ms > 0))
			x[n].rtt_ms = NAN;
		if (ndt_time(s2c, "StartTime", &x[n].t) && x[n].mbps >= 0)
			n++;
	}
	if (json_is_object(c2s)) {
		x[n] = (struct ndt_test){ .dir = "up", .rtt_ms = NAN,
		    .mbps = num(c2s, "MeanThroughputMbps") };
		if (ndt_time(c2s, "StartTime", &x[n].t) && x[n].mbps >= 0)
			n++;
	}
	return n;
}

/* The entities of a result's client address (ClientIP of the result, or
 * of its measurement), through the import's locate callback. */
static int
ndt_locate(struct import *im, json_t *doc, char ent[2][ENT_STRLEN])
{
	const char *ip = json_string_value(json_object_get(doc, "ClientIP"));
	char cc[3] = "", s[32];
	uint32_t asn = 0;
	int n = 0;

	if (ip == NULL || strlen(ip) > 45 ||
	    im->o.locate(im->o.locate_ctx, ip, cc, &asn) != 0)
		return 0;
	if (cc[0] != '\0') {
		snprintf(s, sizeof(s), "country:%.2s", cc);
		n += imp_entity(s, ent[n]) == 0;
	}
	if (asn != 0) {
		snprintf(s, sizeof(s), "asn:%lu", (unsigned long)asn);
		n += imp_entity(s, ent[n]) == 0;
	}
	return n;
}

/* The entities of a result: its client's country and AS when it carries
 * them (M-Lab's unified views: client.Geo, client.Network), else the
 * import's default. */
static int
ndt_entities(struct import *im, json_t *doc, char ent[2][ENT_STRLEN])
{
	json_t *c = json_object_get(doc, "client");
	const char *cc;
	json_int_t asn;
	char s[32];
	int n = 0;

	if (c == NULL)
		c = json_object_get(doc, "Client");
	cc = json_string_value(json_object_get(json_object_get(c, "Geo"),
	    "CountryCode"));
	asn = json_integer_value(json_object_get(json_object_get(c,
	    "Network"), "ASNumber"));
	if (cc != NULL && strlen(cc) == 2) {
		snprintf(s, sizeof(s), "country:%s", cc);
		n += imp_entity(s, ent[n]) == 0;
	}
	if (asn > 0 && asn <= (json_int_t)UINT32_MAX) {
		snprintf(s, sizeof(s), "asn:%lld", (long long)asn);
		n += imp_entity(s, ent[n]) == 0;
	}
	if (n == 0 && im->o.entity != NULL)
		n += imp_entity(im->o.entity, ent[n]) == 0;
	if (n == 0 && im->o.locate != NULL)
		n = ndt_locate(im, doc, ent);
	return n;
}

static int
ndt_put(struct import *im, const char *ent, const struct ndt_test *x)
{
	char kind[32];
	int64_t h = x->t - ((x->t % 3600) + 3600) % 3600;
	int rc;

	snprintf(kind, sizeof(kind), "ndt.%s", x->dir);
	if ((rc = imp_obs_add(im, kind, ent, h, x->mbps, IMP_MEDIAN)) != 0)
		return rc;
	snprintf(kind, sizeof(kind), "ndt.%s.tests", x->dir);
	if ((rc = imp_obs_add(im, kind, ent, h, 1, IMP_SUM)) != 0)
		return rc;
	if (isnan(x->rtt_ms))
		return 0;
	if ((rc = imp_obs_add(im, "ndt.rtt", ent, h, x->rtt_ms, IMP_MIN)) != 0)
		return rc;
	return imp_obs_add(im, "ndt.rtt.tests", ent, h, 1, IMP_SUM);
}

static int
ndt_doc(struct import *im, json_t *doc, uint64_t line)
{
	struct ndt_test x[2];
	char ent[2][ENT_STRLEN];
	const char *why;
	int nt, ne, rc;

	if (!json_is_object(doc)) {
		imp_bad(im, line, "not a JSON object");
		return 0;
	}
	if ((nt = ndt_tests(doc, x, &why)) == 0) {
		imp_bad(im, line, "%s", json_object_get(doc, "Timestamp") &&
		    json_object_get(doc, "Client") ? "an annotation (client "
		    "location), not a test result" : why);
		return 0;
	}
	if ((ne = ndt_entities(im, doc, ent)) == 0) {
		imp_bad(im, line, "no client location: none in the result, "
		    "and its address is not located; --entity names one");
		return 0;
	}
	for (int i = 0; i < nt; i++)
		for (int e = 0; e < ne; e++)
			if ((rc = ndt_put(im, ent[e], &x[i])) != 0)
				return rc;
	return 0;
}

int
imp_ndt(struct import *im, const uint8_t *buf, size_t len)
{
	return imp_json_docs(im, buf, len, ndt_doc);
}
