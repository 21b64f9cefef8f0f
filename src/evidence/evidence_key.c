/*
 * Ed25519 key files (libsodium): the secret key as hex in a file of mode
 * 0600 that is never overwritten, the public key as hex and as PEM
 * (SubjectPublicKeyInfo, RFC 8410) so that openssl can verify signatures.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "evidence/evidence.h"
#include "evidence/evidence_int.h"
#include "util/err.h"

/* RFC 8410 section 4: the DER prefix of an Ed25519 public key. */
static const uint8_t spki_prefix[12] = {
	0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
};

int
ev_sodium_init(void)
{
	return sodium_init() < 0 ? LL_ENOMEM : 0;
}

void
ev_hex(const uint8_t *b, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = '\0';
}

int
ev_unhex(const char *s, size_t slen, uint8_t *out, size_t n)
{
	if (slen != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int v = 0;

		for (int k = 0; k < 2; k++) {
			char c = s[2 * i + (size_t)k];

			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= c - '0';
			else if (c >= 'a' && c <= 'f')
				v |= c - 'a' + 10;
			else
				return -1;
		}
		out[i] = (uint8_t)v;
	}
	return 0;
}

/* Writes len bytes to a new file (O_EXCL) of mode. */
static int
write_new(const char *path, const char *buf, size_t len, mode_t mode,
    char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	ssize_t k;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s%s", path, strerror(errno),
		    errno == EEXIST ? " (a key is never overwritten)" : "");
		return errno == EEXIST ? LL_EEXIST : LL_EIO;
	}
	k = write(fd, buf, len);
	if (k < 0 || (size_t)k != len || fsync(fd) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(k < 0 ? errno :
		    EIO));
		close(fd);
		unlink(path);
		return LL_EIO;
	}
	return close(fd) == 0 ? 0 : LL_EIO;
}

size_t
ev_pem(const uint8_t *pk, char *out)
{
	uint8_t der[sizeof(spki_prefix) + EVIDENCE_PK_LEN];
	char b64[sodium_base64_ENCODED_LEN(sizeof(der),
	    sodium_base64_VARIANT_ORIGINAL)];
	int n;

	memcpy(der, spki_prefix, sizeof(spki_prefix));
	memcpy(der + sizeof(spki_prefix), pk, EVIDENCE_PK_LEN);
	sodium_bin2base64(b64, sizeof(b64), der, sizeof(der),
	    sodium_base64_VARIANT_ORIGINAL);
	n = snprintf(out, EV_PEM_MAX, "-----BEGIN PUBLIC KEY-----\n%s\n"
	    "-----END PUBLIC KEY-----\n", b64);
	return (size_t)n;
}

static int
write_pem(const char *path, const uint8_t pk[EVIDENCE_PK_LEN], char *err,
    size_t errlen)
{
	char pem[EV_PEM_MAX];
	size_t n = ev_pem(pk, pem);

	return write_new(path, pem, n, 0644, err, errlen);
}

int
evidence_keygen(const char *path, char *err, size_t errlen)
{
	struct evidence_key k;
	char hex[2 * EVIDENCE_SK_LEN + 2], pub[1024], pem[1024];
	int rc;

	err[0] = '\0';
	if (ev_sodium_init() != 0)
		return LL_ENOMEM;
	if (snprintf(pub, sizeof(pub), "%s.pub", path) >= (int)sizeof(pub) ||
	    snprintf(pem, sizeof(pem), "%s.pub.pem", path) >= (int)sizeof(pem))
		return LL_EINVAL;
	if (access(path, F_OK) == 0 || access(pub, F_OK) == 0 ||
	    access(pem, F_OK) == 0) {
		snprintf(err, errlen, "%s: a key is there already (a key is "
		    "never overwritten)", access(path, F_OK) == 0 ? path :
		    access(pub, F_OK) == 0 ? pub : pem);
		return LL_EEXIST;
	}
	crypto_sign_keypair(k.pk, k.sk);
	ev_hex(k.sk, EVIDENCE_SK_LEN, hex);
	hex[2 * EVIDENCE_SK_LEN] = '\n';
	rc = write_new(path, hex, 2 * EVIDENCE_SK_LEN + 1, 0600, err, errlen);
	sodium_memzero(&k.sk, sizeof(k.sk));
	sodium_memzero(hex, sizeof(hex));
	if (rc != 0)
		return rc;
	ev_hex(k.pk, EVIDENCE_PK_LEN, hex);
	hex[2 * EVIDENCE_PK_LEN] = '\n';
	if ((rc = write_new(pub, hex, 2 * EVIDENCE_PK_LEN + 1, 0644, err,
	    errlen)) != 0)
		return rc;
	return write_pem(pem, k.pk, err, errlen);
}

/* The first line of a small file, without its newline. */
static int
read_line(const char *path, char *buf, size_t len, struct stat *sb,
    char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? LL_ENOTFOUND : LL_EIO;
	}
	if (fstat(fileno(f), sb) != 0 || fgets(buf, (int)len, f) == NULL) {
		snprintf(err, errlen, "%s: empty or unreadable", path);
		fclose(f);
		return LL_EFORMAT;
	}
	fclose(f);
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return 0;
}

int
evidence_key_load(const char *path, struct evidence_key *k, char *err,
    size_t errlen)
{
	char line[2 * EVIDENCE_SK_LEN + 8];
	struct stat sb;
	int rc;

	err[0] = '\0';
	if (ev_sodium_init() != 0)
		return LL_ENOMEM;
	if ((rc = read_line(path, line, sizeof(line), &sb, err, errlen)) != 0)
		return rc;
	if ((sb.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s: the secret key is readable by "
		    "others (mode %03o); chmod 600 it", path,
		    (unsigned)(sb.st_mode & 0777));
		sodium_memzero(line, sizeof(line));
		return LL_EINVAL;
	}
	rc = ev_unhex(line, strlen(line), k->sk, EVIDENCE_SK_LEN);
	sodium_memzero(line, sizeof(line));
	if (rc != 0 || crypto_sign_ed25519_sk_to_pk(k->pk, k->sk) != 0) {
		snprintf(err, errlen, "%s: not a Lifeline secret key (128 hex "
		    "digits)", path);
		return LL_EFORMAT;
	}
	return 0;
}

int
evidence_pub_load(const char *path, uint8_t pk[EVIDENCE_PK_LEN], char *err,
    size_t errlen)
{
	char line[2 * EVIDENCE_PK_LEN + 8];
	struct stat sb;
	int rc;

	err[0] = '\0';
	if ((rc = read_line(path, line, sizeof(line), &sb, err, errlen)) != 0)
		return rc;
	if (ev_unhex(line, strlen(line), pk, EVIDENCE_PK_LEN) != 0) {
		snprintf(err, errlen, "%s: not a public key (64 hex digits)",
		    path);
		return LL_EFORMAT;
	}
	return 0;
}
