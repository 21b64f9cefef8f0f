/*
 * Decode-ahead: a thread runs the codec into a small ring of chunks while
 * the caller decodes what was delivered before, so inflating overlaps
 * decoding. Memory is bounded by PIPE_CHUNKS x PIPE_CHUNK. The codec's
 * error message is written by the producer and read by the consumer only
 * after the chunk carrying the error code has passed through the mutex.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "input/input_int.h"

#define PIPE_CHUNK	(1u << 20)
#define PIPE_CHUNKS	4

struct chunk {
	uint8_t		*buf;
	size_t		 len, pos;
	int		 rc;		/* codec code after these bytes */
	bool		 last;		/* nothing follows */
};

struct input_pipe {
	struct chunk	 c[PIPE_CHUNKS];
	size_t		 head, tail;	/* [head, tail) full */
	bool		 quit;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	pthread_t	 tid;
};

/* Fills one chunk from the codec; returns true when it was the last. */
static bool
produce(struct input *in, struct chunk *c)
{
	size_t got;

	c->len = c->pos = 0;
	c->rc = 0;
	c->last = false;
	while (c->len < PIPE_CHUNK) {
		if (in->eos) {
			c->last = true;
			break;
		}
		c->rc = in->ops->decode(in, c->buf + c->len,
		    PIPE_CHUNK - c->len, &got);
		c->len += got;
		if (c->rc < 0 || (c->rc == 0 && got == 0)) {
			c->last = true;
			break;
		}
	}
	return c->last;
}

static void *
producer(void *arg)
{
	struct input *in = arg;
	struct input_pipe *pp = in->pipe;
	struct chunk *c;
	bool last = false;

	while (!last) {
		pthread_mutex_lock(&pp->mu);
		while (!pp->quit && pp->tail - pp->head == PIPE_CHUNKS)
			pthread_cond_wait(&pp->cv, &pp->mu);
		if (pp->quit) {
			pthread_mutex_unlock(&pp->mu);
			break;
		}
		c = &pp->c[pp->tail % PIPE_CHUNKS];
		pthread_mutex_unlock(&pp->mu);
		last = produce(in, c);
		pthread_mutex_lock(&pp->mu);
		pp->tail++;
		pthread_cond_broadcast(&pp->cv);
		pthread_mutex_unlock(&pp->mu);
	}
	return NULL;
}

static void
pipe_free(struct input_pipe *pp)
{
	for (int i = 0; i < PIPE_CHUNKS; i++)
		free(pp->c[i].buf);
	pthread_mutex_destroy(&pp->mu);
	pthread_cond_destroy(&pp->cv);
	free(pp);
}

int
input_pipe_start(struct input *in)
{
	struct input_pipe *pp;

	if ((pp = calloc(1, sizeof(*pp))) == NULL)
		return LL_ENOMEM;
	pthread_mutex_init(&pp->mu, NULL);
	pthread_cond_init(&pp->cv, NULL);
	for (int i = 0; i < PIPE_CHUNKS; i++) {
		if ((pp->c[i].buf = malloc(PIPE_CHUNK)) == NULL) {
			pipe_free(pp);
			return LL_ENOMEM;
		}
	}
	in->pipe = pp;
	if (pthread_create(&pp->tid, NULL, producer, in) != 0) {
		in->pipe = NULL;
		pipe_free(pp);
		return LL_ENOMEM;
	}
	return 0;
}

int
input_pipe_fill(struct input *in, uint8_t *dst, size_t cap, size_t *got)
{
	struct input_pipe *pp = in->pipe;
	struct chunk *c;
	size_t n;
	int rc = 0;

	*got = 0;
	while (*got < cap) {
		pthread_mutex_lock(&pp->mu);
		if (*got > 0 && pp->head == pp->tail) {
			pthread_mutex_unlock(&pp->mu);
			break;		/* deliver what we have */
		}
		while (pp->head == pp->tail)
			pthread_cond_wait(&pp->cv, &pp->mu);
		pthread_mutex_unlock(&pp->mu);
		c = &pp->c[pp->head % PIPE_CHUNKS];
		n = c->len - c->pos;
		if (n > cap - *got)
			n = cap - *got;
		memcpy(dst + *got, c->buf + c->pos, n);
		c->pos += n;
		*got += n;
		if (c->pos < c->len)
			break;
		if (c->last) {
			/* Stays at the head: later calls see the end again. */
			rc = c->rc;
			break;
		}
		pthread_mutex_lock(&pp->mu);
		pp->head++;
		pthread_cond_broadcast(&pp->cv);
		pthread_mutex_unlock(&pp->mu);
	}
	return rc;
}

void
input_pipe_stop(struct input *in)
{
	struct input_pipe *pp = in->pipe;

	if (pp == NULL)
		return;
	pthread_mutex_lock(&pp->mu);
	pp->quit = true;
	pthread_cond_broadcast(&pp->cv);
	pthread_mutex_unlock(&pp->mu);
	pthread_join(pp->tid, NULL);
	in->pipe = NULL;
	pipe_free(pp);
}
