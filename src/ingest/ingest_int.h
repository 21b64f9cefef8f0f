/*
 * Ingest's private parts: the hashing thread.
 */
#ifndef LL_INGEST_INGEST_INT_H
#define LL_INGEST_INGEST_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* One file to hash: path to open, results. */
struct ingest_hjob {
	const char	*path;
	bool		 skip;		/* a duplicate: not hashed */
	char		 sha[STORE_SHA256_HEX];
	uint64_t	 size;
};

struct ingest_hasher {
	pthread_t		 th;
	bool			 running;	/* th is to be joined */
	struct ingest_hjob	*job;
	size_t			 n;
	atomic_bool		 done;
	atomic_bool		 quit;		/* stop early */
	size_t			 failed;	/* index + 1 of a file it could
						   not read */
	int			 err_no;
};

/* Hashes h->job[0..n) on a thread (on the caller's when none can be
 * started); h->done turns true when all are hashed or one failed. */
void	ingest_hash_start(struct ingest_hasher *h);

/* Waits for the thread; quit true asks it to stop first. */
void	ingest_hash_wait(struct ingest_hasher *h, bool quit);

#endif
