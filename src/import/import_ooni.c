/*
 * OONI measurements (one JSON document, or JSON Lines). Per entity (the
 * probe's country and AS), test and UTC day: the share of anomalous
 * measurements (ooni.anomaly.TEST), of confirmed-blocked ones
 * (ooni.confirmed.TEST), and how many were scored (ooni.tests.TEST).
 * Measurements whose test failed to run are not scored. The rules, per
 * test, follow OONI's: docs/data.md.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "import/import_int.h"
#include "net/entity.h"
#include "util/err.h"
#include "util/time.h"

enum verdict { V_NONE, V_OK, V_ANOMALY };

static bool
str_is(json_t *o, const char *key, const char *val)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL && strcmp(s, val) == 0;
}

static bool
true_at(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* web_connectivity: "blocking" names what failed (dns, tcp_ip,
 * http-failure, http-diff), false when nothing did, null when the test
 * could not tell. */
static enum verdict
v_webcon(json_t *tk)
{
	json_t *b = json_object_get(tk, "blocking");

	if (json_is_string(b))
		return V_ANOMALY;
	return json_is_false(b) ? V_OK : V_NONE;
}

static enum verdict
v_im(json_t *tk, const char *test)
{
	if (strcmp(test, "telegram") == 0)
		return true_at(tk, "telegram_http_blocking") ||
		    true_at(tk, "telegram_tcp_blocking") ||
		    str_is(tk, "telegram_web_status", "blocked") ?
		    V_ANOMALY : V_OK;
	if (strcmp(test, "whatsapp") == 0)
		return str_is(tk, "whatsapp_endpoints_status", "blocked") ||
		    str_is(tk, "whatsapp_web_status", "blocked") ||
		    str_is(tk, "registration_server_status", "blocked") ?
		    V_ANOMALY : V_OK;
	if (strcmp(test, "facebook_messenger") == 0)
		return true_at(tk, "facebook_tcp_blocking") ||
		    true_at(tk, "facebook_dns_blocking") ? V_ANOMALY : V_OK;
	/* signal */
	return str_is(tk, "signal_backend_status", "blocked") ? V_ANOMALY :
	    str_is(tk, "signal_backend_status", "ok") ? V_OK : V_NONE;
}

/* Circumvention tools: they work or they do not. */
static enum verdict
v_circ(json_t *tk)
{
	json_t *s = json_object_get(tk, "success"),
	    *f = json_object_get(tk, "failure");

	if (json_is_boolean(s))
		return json_is_true(s) ? V_OK : V_ANOMALY;
	if (json_is_string(f))
		return V_ANOMALY;
	return json_is_null(f) && f != NULL ? V_OK : V_NONE;
}

/* Middleboxes: any tampering seen. */
static enum verdict
v_middlebox(json_t *tk)
{
	json_t *t = json_object_get(tk, "tampering"), *v;
	const char *k;

	if (json_is_boolean(t))
		return json_is_true(t) ? V_ANOMALY : V_OK;
	if (!json_is_object(t))
		return V_NONE;
	json_object_foreach(t, k, v)
		if (json_is_true(v))
			return V_ANOMALY;
	return V_OK;
}

static enum verdict
verdict(const char *test, json_t *tk)
{
	if (!json_is_object(tk))
		return V_NONE;
	if (strcmp(test, "web_connectivity") == 0)
		return v_webcon(tk);
	if (strcmp(test, "telegram") == 0 || strcmp(test, "whatsapp") == 0 ||
	    strcmp(test, "facebook_messenger") == 0 ||
	    strcmp(test, "signal") == 0)
		return v_im(tk, test);
	if (strcmp(test, "tor") == 0 || strcmp(test, "torsf") == 0 ||
	    strcmp(test, "vanilla_tor") == 0 ||
	    strcmp(test, "meek_fronted_requests_test") == 0 ||
	    strcmp(test, "openvpn") == 0 || strcmp(test, "riseupvpn") == 0 ||
	    strcmp(test, "psiphon") == 0)
		return v_circ(tk);
	if (strcmp(test, "http_header_field_manipulation") == 0 ||
	    strcmp(test, "http_invalid_request_line") == 0)
		return v_middlebox(tk);
	return V_NONE;
}

/* OONI's confirmed flag, when the measurement carries the pipeline's
 * scores ("confirmed" at the top or in "scores"). */
static bool
confirmed(json_t *doc)
{
	return true_at(doc, "confirmed") ||
	    true_at(json_object_get(doc, "scores"), "confirmed");
}

static int
ooni_put(struct import *im, const char *test, const char *ent, int64_t day,
    double anomaly, double conf)
{
	char kind[IMPORT_NAME_MAX];
	int rc;

	snprintf(kind, sizeof(kind), "ooni.anomaly.%s", test);
	if ((rc = imp_obs_add(im, kind, ent, day, anomaly, IMP_MEAN)) != 0)
		return rc;
	snprintf(kind, sizeof(kind), "ooni.confirmed.%s", test);
	if ((rc = imp_obs_add(im, kind, ent, day, conf, IMP_MEAN)) != 0)
		return rc;
	snprintf(kind, sizeof(kind), "ooni.tests.%s", test);
	return imp_obs_add(im, kind, ent, day, 1, IMP_SUM);
}

static int
ooni_doc(struct import *im, json_t *doc, uint64_t line)
{
	const char *test = NULL, *cc = NULL, *asn = NULL, *start = NULL;
	char ent[2][ENT_STRLEN], s[40], why[96];
	enum verdict v;
	int64_t t;
	int rc, ne = 0;

	if (json_unpack(doc, "{s:s, s:s, s:s}", "test_name", &test,
	    "probe_cc", &cc, "measurement_start_time", &start) != 0) {
		imp_bad(im, line, "needs test_name, probe_cc and "
		    "measurement_start_time");
		return 0;
	}
	if (strlen(test) > 64 || strspn(test, "abcdefghijklmnopqrstuvwxyz"
	    "0123456789_") != strlen(test) || test[0] == '\0') {
		imp_bad(im, line, "test_name \"%.40s\" is not a-z 0-9 _", test);
		return 0;
	}
	if (ll_time_parse(start, &t) != 0) {
		imp_bad(im, line, "measurement_start_time \"%.30s\": %s",
		    start, ll_time_why(start, why, sizeof(why)));
		return 0;
	}
	snprintf(s, sizeof(s), "country:%.8s", cc);
	if (strlen(cc) != 2 || strcmp(cc, "ZZ") == 0 ||
	    imp_entity(s, ent[0]) != 0) {
		imp_bad(im, line, "probe_cc \"%.8s\" is not a country", cc);
		return 0;
	}
	ne = 1;
	asn = json_string_value(json_object_get(doc, "probe_asn"));
	if (asn != NULL && strcmp(asn, "AS0") != 0) {
		snprintf(s, sizeof(s), "asn:%.20s", asn);
		ne += imp_entity(s, ent[1]) == 0;
	}
	if ((v = verdict(test, json_object_get(doc, "test_keys"))) == V_NONE)
		return 0;	/* not scored: failed, or a test without rules */
	t -= ((t % 86400) + 86400) % 86400;
	for (int e = 0; e < ne; e++)
		if ((rc = ooni_put(im, test, ent[e], t, v == V_ANOMALY,
		    confirmed(doc))) != 0)
			return rc;
	return 0;
}

int
imp_ooni(struct import *im, const uint8_t *buf, size_t len)
{
	return imp_json_docs(im, buf, len, ooni_doc);
}
