/*
 * SHA-256 of archives, on a thread of its own while the replay runs.
 *
 * OpenSSL's SHA-256 uses the CPU's SHA instructions (about 1.4 GB/s here);
 * libsodium's is portable C at a quarter of that.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "ingest/ingest.h"
#include "ingest/ingest_int.h"
#include "util/err.h"

/* Feeds the digest from a read-only mapping (a regular file) in 8 MiB
 * windows, each dropped from the address space once hashed, so that the
 * bytes are not copied out of the page cache and the RSS stays small.
 * Returns 0, 1 when the file cannot be mapped (then read() it), -1. */
static int
sha256_map(int fd, EVP_MD_CTX *c, uint64_t *size, const atomic_bool *quit)
{
	const size_t win = (size_t)8 << 20;
	struct stat sb;
	uint64_t off = 0;

	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size == 0)
		return 1;
	while (off < (uint64_t)sb.st_size) {
		size_t len = (uint64_t)sb.st_size - off < win ?
		    (size_t)((uint64_t)sb.st_size - off) : win;
		void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd,
		    (off_t)off);

		if (m == MAP_FAILED)
			return off == 0 ? 1 : -1;
		EVP_DigestUpdate(c, m, len);
		(void)munmap(m, len);
		off += len;
		if (quit != NULL &&
		    atomic_load_explicit(quit, memory_order_relaxed)) {
			errno = EINTR;
			return -1;
		}
	}
	*size = off;
	return 0;
}

static int
sha256_fd(int fd, char *hex, uint64_t *size, uint8_t *buf, size_t len,
    const atomic_bool *quit)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	EVP_MD_CTX *c;
	ssize_t n = 0;
	int ok, mrc;

	if ((c = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(c);
		errno = ENOMEM;
		return -1;
	}
	*size = 0;
	if ((mrc = sha256_map(fd, c, size, quit)) < 0)
		n = -1;
	while (mrc == 1 && (n = read(fd, buf, len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (quit != NULL &&
		    atomic_load_explicit(quit, memory_order_relaxed)))
			break;
		EVP_DigestUpdate(c, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	ok = n == 0 && EVP_DigestFinal_ex(c, md, &mdlen) == 1 && mdlen == 32;
	EVP_MD_CTX_free(c);
	if (!ok) {
		if (n == 0)
			errno = EINTR;
		return -1;
	}
	for (unsigned i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	return 0;
}

static int
sha256_path(const char *path, char *hex, uint64_t *size, uint8_t *buf,
    size_t len, const atomic_bool *quit)
{
	int fd, rc, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	rc = sha256_fd(fd, hex, size, buf, len, quit);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

int
ingest_sha256_file(const char *path, char *hex, uint64_t *size)
{
	size_t len = 1 << 20;
	uint8_t *buf = malloc(len);
	int rc;

	if (buf == NULL)
		return LL_ENOMEM;
	rc = sha256_path(path, hex, size, buf, len, NULL);
	free(buf);
	return rc == 0 ? 0 : LL_EIO;
}

static void *
hash_all(void *arg)
{
	struct ingest_hasher *h = arg;
	size_t len = 1 << 20;
	uint8_t *buf = malloc(len);

	for (size_t i = 0; i < h->n; i++) {
		if (h->job[i].skip)
			continue;
		if (buf == NULL || sha256_path(h->job[i].path, h->job[i].sha,
		    &h->job[i].size, buf, len, &h->quit) != 0) {
			h->err_no = buf == NULL ? ENOMEM : errno;
			h->failed = i + 1;
			break;
		}
	}
	free(buf);
	atomic_store_explicit(&h->done, true, memory_order_release);
	return NULL;
}

void
ingest_hash_start(struct ingest_hasher *h)
{
	if (pthread_create(&h->th, NULL, hash_all, h) == 0)
		h->running = true;
	else
		(void)hash_all(h);	/* no thread: hash here */
}

void
ingest_hash_wait(struct ingest_hasher *h, bool quit)
{
	if (quit)
		atomic_store(&h->quit, true);
	if (h->running)
		pthread_join(h->th, NULL);
	h->running = false;
}
