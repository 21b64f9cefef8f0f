/*
 * Watchlists: BGPalerter's prefixes.yml read with libyaml's document
 * loader (aliases stay references to one node, so no expansion bomb), then
 * walked at a fixed depth. The first error stops the read and names its
 * line.
 */
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "routing/routing.h"
#include "routing/routing_int.h"
#include "util/err.h"
#include "util/grow.h"

#define WATCH_FILE_MAX	(256u << 20)
#define WATCH_LIST_MAX	4096		/* ASes in one asn/upstreams list */

struct wp {
	yaml_document_t		 doc;
	const char		*name;
	struct routing_watchlist *w;
	size_t			 pcap, ascap;
	char			*err;
	size_t			 errlen;
};

static int fail(struct wp *ps, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct wp *ps, const yaml_node_t *n, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (ps->err != NULL)
		snprintf(ps->err, ps->errlen, "%s:%zu: %s", ps->name,
		    n != NULL ? n->start_mark.line + 1 : 0, what);
	return LL_EFORMAT;
}

static const char *
scalar(const yaml_node_t *n)
{
	return n != NULL && n->type == YAML_SCALAR_NODE ?
	    (const char *)n->data.scalar.value : NULL;
}

static int
get_bool(struct wp *ps, const yaml_node_t *n, const char *key, bool *out)
{
	const char *s = scalar(n);

	if (s != NULL && (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 ||
	    strcmp(s, "yes") == 0)) {
		*out = true;
		return 0;
	}
	if (s != NULL && (strcmp(s, "false") == 0 || strcmp(s, "False") ==
	    0 || strcmp(s, "no") == 0 || s[0] == '\0')) {
		*out = false;
		return 0;
	}
	return fail(ps, n, "%s: not a boolean (true or false)", key);
}

static int
get_str(struct wp *ps, const yaml_node_t *n, const char *key, char **out)
{
	const char *s = scalar(n);

	if (s == NULL)
		return fail(ps, n, "%s: not a string", key);
	free(*out);
	if ((*out = strdup(s)) == NULL)
		return LL_ENOMEM;
	return 0;
}

static int
get_uint(struct wp *ps, const yaml_node_t *n, const char *key,
    uint32_t *out)
{
	const char *s = scalar(n);

	if (s == NULL || routing_asn_parse(s, out) != 0)
		return fail(ps, n, "%s: '%s' is not a number up to 4294967295",
		    key, s != NULL ? s : "(not a scalar)");
	return 0;
}

/* An AS number or a sequence of them (an empty value: none). */
static int
get_asns(struct wp *ps, const yaml_node_t *n, const char *key,
    uint32_t **out, size_t *nout)
{
	size_t cap = 0;
	int rc;

	free(*out);
	*out = NULL;
	*nout = 0;
	if (n->type == YAML_SCALAR_NODE && n->data.scalar.length == 0)
		return 0;
	if (n->type == YAML_SCALAR_NODE) {
		if ((*out = malloc(sizeof(**out))) == NULL)
			return LL_ENOMEM;
		*nout = 1;
		return get_uint(ps, n, key, *out);
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(ps, n, "%s: not an AS number or a list of them",
		    key);
	for (yaml_node_item_t *i = n->data.sequence.items.start;
	    i < n->data.sequence.items.top; i++) {
		const yaml_node_t *c = yaml_document_get_node(&ps->doc, *i);

		if (*nout == WATCH_LIST_MAX)
			return fail(ps, c, "%s: more than %d ASes", key,
			    WATCH_LIST_MAX);
		if (ll_grow(out, &cap, *nout + 1, sizeof(**out)) != 0)
			return LL_ENOMEM;
		if ((rc = get_uint(ps, c, key, &(*out)[*nout])) != 0)
			return rc;
		(*nout)++;
	}
	return 0;
}

/* group: a string, or a list of them joined with ",". */
static int
get_group(struct wp *ps, const yaml_node_t *n, char **out)
{
	char buf[1024] = "";
	size_t o = 0;

	if (n->type != YAML_SEQUENCE_NODE)
		return get_str(ps, n, "group", out);
	for (yaml_node_item_t *i = n->data.sequence.items.start;
	    i < n->data.sequence.items.top; i++) {
		const char *s = scalar(yaml_document_get_node(&ps->doc, *i));

		if (s == NULL)
			return fail(ps, n, "group: not a string");
		if (o + strlen(s) + 2 > sizeof(buf))
			return fail(ps, n, "group: longer than %zu bytes",
			    sizeof(buf) - 2);
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
		    o ? "," : "", s);
	}
	free(*out);
	return (*out = strdup(buf)) == NULL ? LL_ENOMEM : 0;
}

static int
compile(struct wp *ps, const yaml_node_t *n, const char *re, void **out)
{
	regex_t *r = malloc(sizeof(*r));
	char msg[128];
	int k;

	if (r == NULL)
		return LL_ENOMEM;
	if ((k = regcomp(r, re, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(k, r, msg, sizeof(msg));
		free(r);
		return fail(ps, n, "path: bad regular expression '%s': %s", re,
		    msg);
	}
	*out = r;
	return 0;
}

static int
path_rule(struct wp *ps, const yaml_node_t *n, struct routing_path_rule *r)
{
	int rc = 0;

	if (n->type != YAML_MAPPING_NODE)
		return fail(ps, n, "path: not a mapping (match, notMatch, "
		    "matchDescription, maxLength, minLength)");
	for (yaml_node_pair_t *kv = n->data.mapping.pairs.start;
	    rc == 0 && kv < n->data.mapping.pairs.top; kv++) {
		const yaml_node_t *k = yaml_document_get_node(&ps->doc,
		    kv->key);
		const yaml_node_t *v = yaml_document_get_node(&ps->doc,
		    kv->value);
		const char *key = scalar(k) ? scalar(k) : "";

		if (strcmp(key, "match") == 0) {
			if ((rc = get_str(ps, v, key, &r->match)) == 0)
				rc = compile(ps, v, r->match, &r->re_match);
		} else if (strcmp(key, "notMatch") == 0) {
			if ((rc = get_str(ps, v, key, &r->not_match)) == 0)
				rc = compile(ps, v, r->not_match, &r->re_not);
		} else if (strcmp(key, "matchDescription") == 0)
			rc = get_str(ps, v, key, &r->description);
		else if (strcmp(key, "maxLength") == 0)
			rc = get_uint(ps, v, key, &r->max_len);
		else if (strcmp(key, "minLength") == 0)
			rc = get_uint(ps, v, key, &r->min_len);
		else
			rc = fail(ps, k, "path: unknown key '%s'", key);
	}
	return rc;
}

static int
path_rules(struct wp *ps, const yaml_node_t *n,
    struct routing_watch_prefix *e)
{
	yaml_node_item_t *i = NULL, *end = NULL;
	size_t cap = 0;
	int rc;

	if (n->type == YAML_SEQUENCE_NODE) {
		i = n->data.sequence.items.start;
		end = n->data.sequence.items.top;
	}
	for (;;) {
		const yaml_node_t *c = i == NULL ? n :
		    yaml_document_get_node(&ps->doc, *i);

		if (i != NULL && i >= end)
			return 0;
		if (e->nrules == WATCH_LIST_MAX)
			return fail(ps, c, "path: more than %d rules",
			    WATCH_LIST_MAX);
		if (ll_grow(&e->rules, &cap, e->nrules + 1,
		    sizeof(*e->rules)) != 0)
			return LL_ENOMEM;
		memset(&e->rules[e->nrules], 0, sizeof(*e->rules));
		rc = path_rule(ps, c, &e->rules[e->nrules++]);
		if (rc != 0 || i == NULL)
			return rc;
		i++;
	}
}

static int
prefix_key(struct wp *ps, struct routing_watch_prefix *e,
    const yaml_node_t *k, const yaml_node_t *v)
{
	const char *key = scalar(k) ? scalar(k) : "";

	if (strcmp(key, "asn") == 0)
		return get_asns(ps, v, key, &e->asn, &e->nasn);
	if (strcmp(key, "description") == 0)
		return get_str(ps, v, key, &e->description);
	if (strcmp(key, "ignoreMorespecifics") == 0)
		return get_bool(ps, v, key, &e->ignore_more);
	if (strcmp(key, "ignore") == 0)
		return get_bool(ps, v, key, &e->ignore);
	if (strcmp(key, "group") == 0)
		return get_group(ps, v, &e->group);
	if (strcmp(key, "path") == 0)
		return path_rules(ps, v, e);
	if (strcmp(key, "includeMonitors") == 0 ||
	    strcmp(key, "excludeMonitors") == 0)
		return 0;	/* BGPalerter's monitor names: all run here */
	return fail(ps, k, "unknown key '%s' (asn, description, "
	    "ignoreMorespecifics, ignore, group, path, includeMonitors, "
	    "excludeMonitors)", key);
}

static int
prefix_entry(struct wp *ps, const yaml_node_t *k, const yaml_node_t *v)
{
	struct routing_watchlist *w = ps->w;
	struct routing_watch_prefix *e;
	bool has_asn = false;
	int rc = 0;

	if (w->np == ROUTING_WATCH_MAX)
		return fail(ps, k, "more than %u prefixes", ROUTING_WATCH_MAX);
	if (ll_grow(&w->p, &ps->pcap, w->np + 1, sizeof(*w->p)) != 0)
		return LL_ENOMEM;
	e = &w->p[w->np++];
	memset(e, 0, sizeof(*e));
	e->line = (uint32_t)k->start_mark.line + 1;
	if (net_prefix_parse(scalar(k), &e->p) != 0 || strchr(scalar(k), '/')
	    == NULL)
		return fail(ps, k, "'%s' is not a prefix", scalar(k));
	if (v->type != YAML_MAPPING_NODE)
		return fail(ps, v, "%s: not a mapping of asn, description, ...",
		    scalar(k));
	for (yaml_node_pair_t *kv = v->data.mapping.pairs.start;
	    rc == 0 && kv < v->data.mapping.pairs.top; kv++) {
		const yaml_node_t *kk = yaml_document_get_node(&ps->doc,
		    kv->key);

		has_asn |= scalar(kk) != NULL && strcmp(scalar(kk), "asn") == 0;
		rc = prefix_key(ps, e, kk, yaml_document_get_node(&ps->doc,
		    kv->value));
	}
	if (rc == 0 && !has_asn)
		rc = fail(ps, k, "%s: no asn", scalar(k));
	if (rc == 0 && e->description == NULL)
		e->description = strdup("");
	if (rc == 0 && e->group == NULL)
		e->group = strdup("default");
	if (rc == 0 && (e->description == NULL || e->group == NULL))
		rc = LL_ENOMEM;
	return rc;
}

static int
as_key(struct wp *ps, struct routing_watch_as *a, const yaml_node_t *k,
    const yaml_node_t *v)
{
	const char *key = scalar(k) ? scalar(k) : "";

	if (strcmp(key, "group") == 0)
		return get_group(ps, v, &a->group);
	if (strcmp(key, "upstreams") == 0) {
		a->has_up = true;
		return get_asns(ps, v, key, &a->up, &a->nup);
	}
	if (strcmp(key, "downstreams") == 0) {
		a->has_down = true;
		return get_asns(ps, v, key, &a->down, &a->ndown);
	}
	return fail(ps, k, "monitorASns: unknown key '%s' (group, upstreams, "
	    "downstreams)", key);
}

static int
monitor_asns(struct wp *ps, const yaml_node_t *n)
{
	struct routing_watchlist *w = ps->w;
	int rc = 0;

	if (n->type == YAML_SCALAR_NODE && n->data.scalar.length == 0)
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return fail(ps, n, "monitorASns: not a mapping of AS numbers");
	for (yaml_node_pair_t *kv = n->data.mapping.pairs.start;
	    rc == 0 && kv < n->data.mapping.pairs.top; kv++) {
		const yaml_node_t *k = yaml_document_get_node(&ps->doc,
		    kv->key);
		const yaml_node_t *v = yaml_document_get_node(&ps->doc,
		    kv->value);
		struct routing_watch_as *a;

		if (w->nas == ROUTING_WATCH_MAX)
			return fail(ps, k, "more than %u ASes",
			    ROUTING_WATCH_MAX);
		if (ll_grow(&w->as, &ps->ascap, w->nas + 1,
		    sizeof(*w->as)) != 0)
			return LL_ENOMEM;
		a = &w->as[w->nas++];
		memset(a, 0, sizeof(*a));
		if ((rc = get_uint(ps, k, "monitorASns", &a->asn)) != 0)
			return rc;
		if (v->type == YAML_MAPPING_NODE)
			for (yaml_node_pair_t *p = v->data.mapping.pairs.start;
			    rc == 0 && p < v->data.mapping.pairs.top; p++)
				rc = as_key(ps, a, yaml_document_get_node(
				    &ps->doc, p->key), yaml_document_get_node(
				    &ps->doc, p->value));
		else if (!(v->type == YAML_SCALAR_NODE &&
		    v->data.scalar.length == 0))
			rc = fail(ps, v, "monitorASns: AS%u: not a mapping "
			    "(group, upstreams, downstreams)", a->asn);
		if (rc == 0 && a->group == NULL &&
		    (a->group = strdup("default")) == NULL)
			rc = LL_ENOMEM;
	}
	return rc;
}

static int
options(struct wp *ps, const yaml_node_t *n)
{
	int rc = 0;

	if (n->type != YAML_MAPPING_NODE)
		return fail(ps, n, "options: not a mapping");
	for (yaml_node_pair_t *kv = n->data.mapping.pairs.start;
	    rc == 0 && kv < n->data.mapping.pairs.top; kv++) {
		const char *key = scalar(yaml_document_get_node(&ps->doc,
		    kv->key));

		if (key != NULL && strcmp(key, "monitorASns") == 0)
			rc = monitor_asns(ps, yaml_document_get_node(&ps->doc,
			    kv->value));
		/* other options (BGPalerter's generate writes none) pass */
	}
	return rc;
}

static int
walk(struct wp *ps)
{
	const yaml_node_t *root = yaml_document_get_root_node(&ps->doc);
	int rc = 0;

	if (root == NULL)
		return 0;	/* an empty file watches nothing */
	if (root->type != YAML_MAPPING_NODE)
		return fail(ps, root, "not a mapping of prefixes (BGPalerter's "
		    "prefixes.yml)");
	for (yaml_node_pair_t *kv = root->data.mapping.pairs.start;
	    rc == 0 && kv < root->data.mapping.pairs.top; kv++) {
		const yaml_node_t *k = yaml_document_get_node(&ps->doc,
		    kv->key);
		const yaml_node_t *v = yaml_document_get_node(&ps->doc,
		    kv->value);

		if (scalar(k) == NULL)
			rc = fail(ps, k, "a key that is not a prefix");
		else if (strcmp(scalar(k), "options") == 0)
			rc = options(ps, v);
		else
			rc = prefix_entry(ps, k, v);
	}
	return rc;
}

int
routing_watch_parse(const char *name, const uint8_t *buf, size_t len,
    struct routing_watchlist **out, char *err, size_t errlen)
{
	struct wp ps = { .name = name, .err = err, .errlen = errlen };
	yaml_parser_t parser;
	int rc;

	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (len > WATCH_FILE_MAX)
		return LL_ELIMIT;
	if ((ps.w = calloc(1, sizeof(*ps.w))) == NULL ||
	    !yaml_parser_initialize(&parser)) {
		free(ps.w);
		return LL_ENOMEM;
	}
	yaml_parser_set_input_string(&parser, buf, len);
	if (!yaml_parser_load(&parser, &ps.doc)) {
		if (err != NULL)
			snprintf(err, errlen, "%s:%zu: %s%s%s", name,
			    parser.problem_mark.line + 1, parser.problem ?
			    parser.problem : "not YAML", parser.context ?
			    " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		routing_watch_free(ps.w);
		return parser.error == YAML_MEMORY_ERROR ? LL_ENOMEM :
		    LL_EFORMAT;
	}
	yaml_parser_delete(&parser);
	rc = walk(&ps);
	yaml_document_delete(&ps.doc);
	if (rc == 0)
		rc = routing_watch_index(ps.w);
	if (rc == LL_ENOMEM && err != NULL)
		snprintf(err, errlen, "%s: out of memory", name);
	if (rc != 0) {
		routing_watch_free(ps.w);
		return rc;
	}
	*out = ps.w;
	return 0;
}

int
routing_watch_load(const char *path, struct routing_watchlist **out,
    char *err, size_t errlen)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if ((rc = routing_slurp(path, &buf, &len, err, errlen)) != 0)
		return rc;
	rc = routing_watch_parse(path, buf, len, out, err, errlen);
	free(buf);
	return rc;
}
