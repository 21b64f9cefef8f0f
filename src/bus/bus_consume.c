/*
 * The consumer (bus.h): fetch a batch, park what cannot be read, write
 * the rest in one transaction, acknowledge only after the commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/bus.h"
#include "bus/bus_int.h"
#include "util/err.h"

#define FETCH_MS	1000

struct cons {
	struct bus			*b;
	struct store			*st;
	const struct bus_consume_opts	*o;
	struct bus_stats		*stats;
	natsSubscription		*sub;
	char				*err;
	size_t				 errlen;
};

static void
event(const struct cons *c, const struct bus_event *ev)
{
	if (c->o->on_event != NULL)
		c->o->on_event(c->o->ctx, ev);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Copies msg to lifeline.parked.AGENT-OR-unknown with its reason, then
 * terminates it: it is never redelivered, and never stored. */
int
bus_park(struct bus *b, natsMsg *msg, const char *reason, char *err,
    size_t errlen)
{
	char subj[128];
	natsMsg *pm = NULL;
	jsPubAck *pa = NULL;
	jsErrCode jerr = 0;
	natsStatus s;
	const char *tok = strrchr(natsMsg_GetSubject(msg), '.');

	snprintf(subj, sizeof(subj), BUS_PARKED_SUBJECT "%s",
	    tok != NULL && bus_agent_name_ok(tok + 1) ? tok + 1 : "unknown");
	s = natsMsg_Create(&pm, subj, NULL, natsMsg_GetData(msg),
	    natsMsg_GetDataLength(msg));
	if (s == NATS_OK)
		s = natsMsgHeader_Set(pm, "Lifeline-Parked-Reason", reason);
	if (s == NATS_OK)
		s = natsMsgHeader_Set(pm, "Lifeline-Subject",
		    natsMsg_GetSubject(msg));
	if (s == NATS_OK)
		s = js_PublishMsg(&pa, b->js, pm, NULL, &jerr);
	natsMsg_Destroy(pm);
	jsPubAck_Destroy(pa);
	if (s != NATS_OK) {
		snprintf(err, errlen, "parking a message: %s",
		    natsStatus_GetText(s));
		return LL_ENET;
	}
	natsMsg_Term(msg, NULL);
	return 0;
}

static int
park(struct cons *c, natsMsg *msg, const char *reason)
{
	int rc = bus_park(c->b, msg, reason, c->err, c->errlen);

	if (rc != 0)
		return rc;
	c->stats->parked++;
	event(c, &(struct bus_event){ .event = "parked", .subject =
	    natsMsg_GetSubject(msg), .reason = reason, .msgs = 1 });
	return 0;
}

/* Parses the batch; parks what cannot be read. m[i] NULL: parked. */
static int
parse_all(struct cons *c, natsMsgList *l, struct bus_msg **m)
{
	char why[256];
	int rc;

	for (int i = 0; i < l->Count; i++) {
		natsMsg *msg = l->Msgs[i];

		rc = bus_msg_parse(natsMsg_GetData(msg),
		    (size_t)natsMsg_GetDataLength(msg), &m[i], why,
		    sizeof(why));
		if (rc == LL_ENOMEM)
			return rc;
		if (rc != 0 && (rc = park(c, msg, why)) != 0)
			return rc;
	}
	return 0;
}

/* Writes the sound messages of a batch, then acknowledges them. */
static int
store_batch(struct cons *c, natsMsgList *l, struct bus_msg **m)
{
	struct ingest_msg *im = calloc((size_t)l->Count + 1, sizeof(*im));
	size_t n = 0, stored = 0;
	uint64_t points = 0;
	int rc = 0;

	if (im == NULL)
		return LL_ENOMEM;
	for (int i = 0; i < l->Count; i++)
		if (m[i] != NULL)
			im[n++] = m[i]->m;
	if (n > 0 && (rc = ingest_bus_points(c->st, im, n, &stored, &points,
	    c->err, c->errlen)) != 0)
		goto out;
	c->stats->batches++;
	if (c->o->fail_after_commits > 0 &&
	    c->stats->batches >= c->o->fail_after_commits) {
		rc = LL_EINTR;	/* committed, never acknowledged */
		goto out;
	}
	for (int i = 0, j = 0; i < l->Count; i++) {
		if (m[i] == NULL)
			continue;
		natsMsg_AckSync(l->Msgs[i], NULL, NULL);
		event(c, &(struct bus_event){ .event = im[j].dup ?
		    "duplicate" : "stored", .id = im[j].id, .subject =
		    natsMsg_GetSubject(l->Msgs[i]), .msgs = 1, .points =
		    im[j].dup ? 0 : m[i]->npts });
		c->stats->duplicates += im[j].dup;
		j++;
	}
	c->stats->stored += stored;
	c->stats->points += points;
out:
	free(im);
	return rc;
}

static int
one_batch(struct cons *c, natsMsgList *l)
{
	struct bus_msg **m = calloc((size_t)l->Count + 1, sizeof(*m));
	int rc;

	if (m == NULL)
		return LL_ENOMEM;
	if ((rc = parse_all(c, l, m)) == 0)
		rc = store_batch(c, l, m);
	for (int i = 0; i < l->Count; i++)
		bus_msg_free(m[i]);
	free(m);
	return rc;
}

static void
health(struct cons *c)
{
	struct bus_status s;
	char e[128];

	if (bus_status(c->b, &s, e, sizeof(e)) != 0)
		return;
	event(c, &(struct bus_event){ .event = "health", .msgs =
	    c->stats->stored, .points = c->stats->points, .pending =
	    s.pending, .ack_pending = s.ack_pending });
}

/* True when the durable consumer has nothing left to deliver or to be
 * acknowledged. */
static bool
drained(struct cons *c)
{
	struct bus_status s;
	char e[128];

	return bus_status(c->b, &s, e, sizeof(e)) == 0 && s.consumer &&
	    s.pending == 0 && s.ack_pending == 0;
}

/* Binds to the durable consumer of stream, creating it (with the ack
 * wait asked for) when it does not exist; an existing one keeps its
 * settings. */
int
bus_subscribe(struct bus *b, const char *stream, const char *subjects,
    int max_ack_pending, natsSubscription **sub, char *err, size_t errlen)
{
	jsSubOptions so;
	jsConsumerInfo *ci = NULL;
	jsErrCode jerr = 0;
	natsStatus s;
	const char *last;

	jsSubOptions_Init(&so);
	so.Stream = stream;
	if (js_GetConsumerInfo(&ci, b->js, stream, b->durable, NULL,
	    &jerr) == NATS_OK) {
		jsConsumerInfo_Destroy(ci);
		so.Consumer = b->durable;
	} else {
		so.Config.AckWait = b->ack_wait_ms * 1000000;
		so.Config.AckPolicy = js_AckExplicit;
		so.Config.MaxAckPending = max_ack_pending;
	}
	jerr = 0;
	s = js_PullSubscribe(sub, b->js, subjects, b->durable, NULL, &so,
	    &jerr);
	if (s != NATS_OK) {
		last = nats_GetLastError(NULL);
		snprintf(err, errlen, "durable consumer %s: %s", b->durable,
		    last != NULL && *last ? last : natsStatus_GetText(s));
		return LL_ENET;
	}
	return 0;
}

int
bus_consume(struct bus *b, struct store *st, const struct bus_consume_opts *o,
    struct bus_stats *stats, char *err, size_t errlen)
{
	struct cons c = { b, st, o, stats, NULL, err, errlen };
	int64_t next_health = o->health_ms > 0 ? now_ms() + o->health_ms : 0;
	int rc;

	memset(stats, 0, sizeof(*stats));
	if ((rc = bus_subscribe(b, BUS_STREAM, BUS_SUBJECTS, 4096, &c.sub,
	    err, errlen)) != 0)
		return rc;
	while (o->stop == NULL || !*o->stop) {
		natsMsgList l = { 0 };
		jsErrCode jerr = 0;
		natsStatus s = natsSubscription_Fetch(&l, c.sub,
		    o->batch > 0 ? o->batch : 64, FETCH_MS, &jerr);

		if (s == NATS_OK)
			rc = one_batch(&c, &l);
		natsMsgList_Destroy(&l);
		if (rc != 0)
			break;
		if (next_health != 0 && now_ms() >= next_health) {
			health(&c);
			next_health = now_ms() + o->health_ms;
		}
		if (s == NATS_CONNECTION_CLOSED) {
			snprintf(err, errlen, "the connection was closed");
			rc = LL_ENET;
			break;
		}
		if (s != NATS_OK && s != NATS_TIMEOUT)
			event(&c, &(struct bus_event){ .event = "retry",
			    .reason = natsStatus_GetText(s) });
		if (s != NATS_OK && o->drain && drained(&c))
			break;
	}
	natsSubscription_Destroy(c.sub);
	return rc;
}
