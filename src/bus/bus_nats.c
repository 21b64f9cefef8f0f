/*
 * The NATS JetStream connection (bus.h): connect, create the streams,
 * publish with a message id, report the streams' state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "bus/bus_int.h"
#include "util/err.h"

static int
nats_fail(char *err, size_t errlen, const char *what, natsStatus s,
    jsErrCode jerr)
{
	const char *last = nats_GetLastError(NULL);

	if (jerr != 0)
		snprintf(err, errlen, "%s: %s (JetStream error %d)", what,
		    last != NULL && *last ? last : natsStatus_GetText(s),
		    (int)jerr);
	else
		snprintf(err, errlen, "%s: %s", what, last != NULL && *last ?
		    last : natsStatus_GetText(s));
	return LL_ENET;
}

/* Creates stream name capturing subject when it does not exist. */
static int
add_stream(struct bus *b, const char *name, const char *subject,
    int64_t max_age_days, char *err, size_t errlen)
{
	jsStreamConfig cfg;
	jsStreamInfo *si = NULL;
	jsErrCode jerr = 0;
	const char *subjects[1] = { subject };
	natsStatus s;

	if (js_GetStreamInfo(&si, b->js, name, NULL, &jerr) == NATS_OK) {
		jsStreamInfo_Destroy(si);
		return 0;
	}
	jsStreamConfig_Init(&cfg);
	cfg.Name = name;
	cfg.Subjects = subjects;
	cfg.SubjectsLen = 1;
	cfg.Storage = js_FileStorage;
	cfg.Duplicates = (int64_t)120 * 1000000000;	/* ns */
	cfg.MaxAge = max_age_days * 86400 * (int64_t)1000000000;
	jerr = 0;
	s = js_AddStream(&si, b->js, &cfg, NULL, &jerr);
	jsStreamInfo_Destroy(si);
	if (s != NATS_OK && jerr != JSStreamNameExistErr)
		return nats_fail(err, errlen, name, s, jerr);
	return 0;
}

static int
connect_opts(struct bus *b, const struct bus_conf *c, char *err,
    size_t errlen)
{
	natsStatus s;

	if ((s = natsOptions_Create(&b->opts)) != NATS_OK ||
	    (s = natsOptions_SetURL(b->opts, c->url)) != NATS_OK ||
	    (s = natsOptions_SetMaxReconnect(b->opts, -1)) != NATS_OK ||
	    (s = natsOptions_SetReconnectWait(b->opts, 250)) != NATS_OK ||
	    (s = natsOptions_SetTimeout(b->opts, 5000)) != NATS_OK)
		return nats_fail(err, errlen, c->url, s, 0);
	if (c->name != NULL &&
	    (s = natsOptions_SetName(b->opts, c->name)) != NATS_OK)
		return nats_fail(err, errlen, c->url, s, 0);
	if (c->creds != NULL && (s = natsOptions_SetUserCredentialsFromFiles(
	    b->opts, c->creds, NULL)) != NATS_OK)
		return nats_fail(err, errlen, c->creds, s, 0);
	return 0;
}

int
bus_open(const struct bus_conf *c, struct bus **out, char *err,
    size_t errlen)
{
	struct bus *b;
	natsStatus s;
	int rc;

	*out = NULL;
	if (c->url == NULL || strncmp(c->url, "nats://", 7) != 0) {
		snprintf(err, errlen, "%s: not a nats:// URL",
		    c->url != NULL ? c->url : "(none)");
		return LL_EINVAL;
	}
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return LL_ENOMEM;
	b->ack_wait_ms = c->ack_wait_ms > 0 ? c->ack_wait_ms : 30000;
	snprintf(b->durable, sizeof(b->durable), "%s",
	    c->durable != NULL ? c->durable : BUS_DURABLE);
	if ((rc = connect_opts(b, c, err, errlen)) != 0)
		goto fail;
	if ((s = natsConnection_Connect(&b->nc, b->opts)) != NATS_OK) {
		rc = nats_fail(err, errlen, c->url, s, 0);
		goto fail;
	}
	if ((s = natsConnection_JetStream(&b->js, b->nc, NULL)) != NATS_OK) {
		rc = nats_fail(err, errlen, "JetStream", s, 0);
		goto fail;
	}
	if ((rc = add_stream(b, BUS_STREAM, BUS_SUBJECTS, BUS_POINTS_DAYS, err,
	    errlen)) != 0 || (rc = add_stream(b, BUS_PARKED_STREAM,
	    BUS_PARKED_SUBJECT ">", BUS_PARKED_DAYS, err, errlen)) != 0 ||
	    (rc = add_stream(b, BUS_ARC_STREAM, BUS_ARC_SUBJECTS,
	    BUS_ARC_DAYS, err, errlen)) != 0)
		goto fail;
	*out = b;
	return 0;
fail:
	bus_free(b);
	return rc;
}

void
bus_free(struct bus *b)
{
	if (b == NULL)
		return;
	jsCtx_Destroy(b->js);
	if (b->nc != NULL) {
		natsConnection_FlushTimeout(b->nc, 2000);
		natsConnection_Destroy(b->nc);
	}
	natsOptions_Destroy(b->opts);
	free(b);
	nats_Close();
}

int
bus_publish(struct bus *b, const char *subject, const char *id,
    const void *data, size_t len, bool *dup, char *err, size_t errlen)
{
	jsPubOptions po;
	jsPubAck *pa = NULL;
	jsErrCode jerr = 0;
	natsStatus s;

	if (len > BUS_MSG_MAX)
		return LL_ELIMIT;
	jsPubOptions_Init(&po);
	po.MsgId = id;
	s = js_Publish(&pa, b->js, subject, data, (int)len, &po, &jerr);
	if (s != NATS_OK)
		return nats_fail(err, errlen, subject, s, jerr);
	if (dup != NULL)
		*dup = pa->Duplicate;
	jsPubAck_Destroy(pa);
	return 0;
}

int
bus_status(struct bus *b, struct bus_status *st, char *err, size_t errlen)
{
	jsStreamInfo *si = NULL;
	jsConsumerInfo *ci = NULL;
	jsErrCode jerr = 0;
	natsStatus s;

	memset(st, 0, sizeof(*st));
	if ((s = js_GetStreamInfo(&si, b->js, BUS_STREAM, NULL, &jerr)) !=
	    NATS_OK)
		return nats_fail(err, errlen, BUS_STREAM, s, jerr);
	st->points_msgs = si->State.Msgs;
	st->points_bytes = si->State.Bytes;
	jsStreamInfo_Destroy(si);
	si = NULL;
	if ((s = js_GetStreamInfo(&si, b->js, BUS_PARKED_STREAM, NULL,
	    &jerr)) != NATS_OK)
		return nats_fail(err, errlen, BUS_PARKED_STREAM, s, jerr);
	st->parked_msgs = si->State.Msgs;
	jsStreamInfo_Destroy(si);
	if (js_GetConsumerInfo(&ci, b->js, BUS_STREAM, b->durable, NULL,
	    &jerr) == NATS_OK) {
		st->consumer = true;
		st->pending = ci->NumPending;
		st->ack_pending = (uint64_t)ci->NumAckPending;
		st->delivered = ci->Delivered.Stream;
		jsConsumerInfo_Destroy(ci);
	}
	return 0;
}

int
bus_pending(struct bus *b, const char *stream, uint64_t *pending,
    uint64_t *ack_pending)
{
	jsConsumerInfo *ci = NULL;
	jsErrCode jerr = 0;

	if (js_GetConsumerInfo(&ci, b->js, stream, b->durable, NULL,
	    &jerr) != NATS_OK)
		return LL_ENET;
	*pending = ci->NumPending;
	*ack_pending = (uint64_t)ci->NumAckPending;
	jsConsumerInfo_Destroy(ci);
	return 0;
}
