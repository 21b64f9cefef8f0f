/*
 * The address response history of USC/ISI (ant.isi.edu, "Internet address
 * IPv4 response history"): an fsdb file, tab-separated, whose header names
 * the columns,
 *
 *	#fsdb -F t hex_ip history score
 *	0a0025d6	1ffffffff	99
 *
 * hex_ip the address in 8 hex digits, history a bitmap of the censuses
 * (1: it answered; the least significant bit the latest census), score
 * ISI's prediction (not used here). Trinocular's E(b) is a block's
 * addresses that ever answered; its A(E(b)) is here the share of them
 * that answered in each of the last PROBE_HIST_CENSUSES censuses, on
 * average.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"
#include "probe/probe_int.h"
#include "util/err.h"
#include "util/grow.h"

#define HIST_LINES_MAX	(64ull << 20)
#define HIST_COLS_MAX	16
#define HIST_DIGITS_MAX	64		/* 256 censuses */

struct hist {
	const char		*name;
	const struct probe_targets *t;
	int			 col_ip, col_hist;
	uint64_t		*ent;		/* addr << 8 | answers */
	size_t			 n, cap;
	probe_warn_fn		*warn;
	void			*warn_ctx;
	struct probe_set	*set;
};

/* Splits s on blanks into at most HIST_COLS_MAX fields. */
static int
fields(char *s, char **f)
{
	int n = 0;

	for (char *tok = strtok(s, " \t"); tok != NULL && n < HIST_COLS_MAX;
	    tok = strtok(NULL, " \t"))
		f[n++] = tok;
	return n;
}

/* "#fsdb [-F x] [-R x] [-x] col col ...": where hex_ip and history are. */
static int
header(struct hist *h, char *s)
{
	char *f[HIST_COLS_MAX];
	int n = fields(s, f), col = 0;

	if (n == 0 || strcmp(f[0], "#fsdb") != 0)
		return LL_EFORMAT;
	h->col_ip = h->col_hist = -1;
	for (int i = 1; i < n; i++) {
		if (f[i][0] == '-') {
			if (strcmp(f[i], "-F") == 0 || strcmp(f[i], "-R") == 0)
				i++;
			continue;
		}
		if (strcmp(f[i], "hex_ip") == 0)
			h->col_ip = col;
		else if (strcmp(f[i], "history") == 0)
			h->col_hist = col;
		col++;
	}
	return h->col_ip >= 0 && h->col_hist >= 0 ? 0 : LL_EFORMAT;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The history: whether it ever answered, and the answers among the last
 * PROBE_HIST_CENSUSES censuses. NULL, or what is wrong. */
static const char *
history(const char *s, bool *ever, unsigned *recent)
{
	size_t n = strlen(s);

	*ever = false;
	*recent = 0;
	if (n == 0 || n > HIST_DIGITS_MAX)
		return n == 0 ? "empty history" : "history of more than 256 "
		    "censuses";
	for (size_t i = 0; i < n; i++) {
		int v = hexval(s[i]);
		if (v < 0)
			return "history is not hexadecimal";
		*ever |= v != 0;
		if (n - i <= PROBE_HIST_CENSUSES / 4)
			*recent += (unsigned)__builtin_popcount((unsigned)v);
	}
	return NULL;
}

static const char *
hex_ip(const char *s, uint32_t *a)
{
	*a = 0;
	if (strlen(s) != 8)
		return "hex_ip is not 8 hex digits";
	for (int i = 0; i < 8; i++) {
		int v = hexval(s[i]);
		if (v < 0)
			return "hex_ip is not 8 hex digits";
		*a = *a << 4 | (uint32_t)v;
	}
	return NULL;
}

static void
bad(struct hist *h, uint64_t line, const char *why)
{
	char msg[512];

	h->set->bad++;
	if (h->warn == NULL)
		return;
	snprintf(msg, sizeof(msg), "%s:%llu: %s", h->name,
	    (unsigned long long)line, why);
	h->warn(h->warn_ctx, msg);
}

static int
data_line(struct hist *h, char *s, uint64_t no)
{
	char *f[HIST_COLS_MAX];
	int n = fields(s, f);
	const char *why;
	uint32_t a;
	unsigned recent;
	bool ever;

	h->set->lines++;
	if (n <= h->col_ip || n <= h->col_hist) {
		bad(h, no, "too few columns");
		return 0;
	}
	if ((why = hex_ip(f[h->col_ip], &a)) != NULL ||
	    (why = history(f[h->col_hist], &ever, &recent)) != NULL) {
		bad(h, no, why);
		return 0;
	}
	if (!ever) {
		h->set->never++;
		return 0;
	}
	if (!probe_targets_has(h->t, a)) {
		h->set->refused++;
		return 0;
	}
	if (ll_grow(&h->ent, &h->cap, h->n + 1, sizeof(*h->ent)) != 0)
		return LL_ENOMEM;
	h->ent[h->n++] = (uint64_t)a << 8 | recent;
	return 0;
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One /24's addresses, ent[i..j), duplicates removed: a block, or
 * counted as too sparse or too seldom answering. */
static int
block(struct hist *h, size_t i, size_t j, uint64_t *seed, size_t *hcap)
{
	struct probe_set *s = h->set;
	uint8_t host[256];
	unsigned n = 0, answers = 0;

	for (size_t k = i; k < j; k++) {
		if (k > i && h->ent[k] >> 8 == h->ent[k - 1] >> 8)
			continue;			/* listed twice */
		host[n++] = (uint8_t)(h->ent[k] >> 8);
		answers += (unsigned)(h->ent[k] & 0xff);
	}
	double a = (double)answers / ((double)n * PROBE_HIST_CENSUSES);
	if (n < PROBE_MIN_EVER) {
		s->sparse++;
		return 0;
	}
	if (a < PROBE_MIN_AVAIL) {
		s->unavail++;
		return 0;
	}
	for (unsigned k = n - 1; k > 0; k--) {		/* Fisher-Yates */
		uint32_t r = probe_rand_below(seed, k + 1);
		uint8_t x = host[k];
		host[k] = host[r];
		host[r] = x;
	}
	if (ll_grow(&s->hosts, hcap, s->nhosts + n, 1) != 0)
		return LL_ENOMEM;
	memcpy(s->hosts + s->nhosts, host, n);
	s->blocks[s->n++] = (struct probe_block){
	    .net = (uint32_t)(h->ent[i] >> 8) & 0xffffff00u,
	    .host_off = (uint32_t)s->nhosts, .nhosts = (uint16_t)n,
	    .avail = a > PROBE_MAX_AVAIL ? PROBE_MAX_AVAIL : a,
	    .belief = 0.5 };
	s->nhosts += n;
	return 0;
}

static int
blocks(struct hist *h, uint64_t seed)
{
	size_t hcap = 0, nb = 0;
	int rc = 0;

	if (h->n == 0)
		return 0;			/* (qsort() of NULL is undefined) */
	qsort(h->ent, h->n, sizeof(*h->ent), u64_cmp);
	for (size_t i = 0; i < h->n; i++)
		nb += i == 0 || h->ent[i] >> 16 != h->ent[i - 1] >> 16;
	if (nb > 0 && (h->set->blocks = calloc(nb,
	    sizeof(*h->set->blocks))) == NULL)
		return LL_ENOMEM;
	for (size_t i = 0, j; i < h->n && rc == 0; i = j) {
		for (j = i + 1; j < h->n && h->ent[j] >> 16 == h->ent[i] >> 16;)
			j++;
		rc = block(h, i, j, &seed, &hcap);
	}
	return rc;
}

int
probe_set_load(const char *text, size_t len, const char *name,
    const struct probe_targets *t, uint64_t seed, probe_warn_fn *warn,
    void *warn_ctx, struct probe_set *set, char *err, size_t errlen)
{
	struct hist h = { .name = name, .t = t, .warn = warn,
	    .warn_ctx = warn_ctx, .set = set };
	struct probe_line l = { 0 };
	char buf[PROBE_LINE_MAX + 1];
	size_t at = 0;
	bool head = false;
	int rc = 0;

	memset(set, 0, sizeof(*set));
	while (rc == 0 && probe_next_line(text, len, &at, &l)) {
		int n = probe_line_text(&l, false, buf);
		if (n < 0) {
			bad(&h, l.no, "line too long or holds a NUL byte");
			continue;
		}
		if (n == 0 || (head && buf[0] == '#'))
			continue;
		if (!head) {
			if (header(&h, buf) != 0) {
				snprintf(err, errlen, "%s:%llu: not a USC/ISI "
				    "history: no '#fsdb ... hex_ip ... history' "
				    "header", name, (unsigned long long)l.no);
				rc = LL_EFORMAT;
			}
			head = true;
			continue;
		}
		if (set->lines >= HIST_LINES_MAX) {
			snprintf(err, errlen, "%s:%llu: more than 64M lines",
			    name, (unsigned long long)l.no);
			rc = LL_ELIMIT;
			break;
		}
		rc = data_line(&h, buf, l.no);
	}
	if (rc == 0 && !head) {
		snprintf(err, errlen, "%s: empty: no '#fsdb' header", name);
		rc = LL_EFORMAT;
	}
	if (rc == 0)
		rc = blocks(&h, seed);
	if (rc == LL_ENOMEM)
		snprintf(err, errlen, "%s: out of memory", name);
	free(h.ent);
	if (rc != 0)
		probe_set_fini(set);
	return rc;
}

void
probe_set_fini(struct probe_set *set)
{
	if (set == NULL)
		return;
	free(set->blocks);
	free(set->hosts);
	set->blocks = NULL;
	set->hosts = NULL;
	set->n = set->nhosts = 0;
}
