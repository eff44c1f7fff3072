#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "crypt.h"
#include "log.h"

#define CRYPT4_BITS	4096	/* the size of Happ's RSA key */

/* The crypt4 key of this process, read on first use. */
static EVP_PKEY	*crypt4_pkey;
static char	 crypt4_path[512];
static int	 crypt4_failed;	/* crypt4_path could not be used: said once */

static void
crypt_hex(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

void
crypt_sha256_hex(const void *data, size_t len, char out[CRYPT_SHA256_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	crypt_hex(md, mdlen, out);
}

void
crypt_key_hash(const unsigned char *secret, size_t secret_len,
    const char *key, char out[CRYPT_SHA256_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	HMAC(EVP_sha256(), secret, (int)secret_len,
	    (const unsigned char *)key, strlen(key), md, &mdlen);
	crypt_hex(md, mdlen, out);
}

int
crypt_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return 0;
	return CRYPTO_memcmp(a, b, la) == 0;
}

/* The kernel's random source rather than OpenSSL's: a worker that only
 * answers checks draws one random name (fcgi/counters.c) and nothing
 * else of OpenSSL, whose first RAND_bytes() sets up its providers and
 * generator in each process: about 3 MB more resident memory a worker. */
int
crypt_random_string(char *out, size_t len, const char *alphabet)
{
	unsigned char r[64];
	size_t n = strlen(alphabet), o = 0, i;
	/* reject bytes above the largest multiple of n: no modulo bias */
	unsigned int limit = 256 - 256 % (unsigned int)n;
	ssize_t got;

	while (o < len) {
		got = getrandom(r, sizeof(r), 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got != (ssize_t)sizeof(r))
			return -1;
		for (i = 0; i < sizeof(r) && o < len; i++)
			if (r[i] < limit)
				out[o++] = alphabet[r[i] % n];
	}
	out[len] = '\0';
	return 0;
}

static EVP_PKEY *
crypt4_key(const char *path)
{
	EVP_PKEY *k = NULL;
	FILE *f;

	if (strcmp(path, crypt4_path) == 0 &&
	    (crypt4_pkey != NULL || crypt4_failed))
		return crypt4_pkey;
	EVP_PKEY_free(crypt4_pkey);
	crypt4_pkey = NULL;
	crypt4_failed = 1;
	snprintf(crypt4_path, sizeof(crypt4_path), "%s", path);
	f = fopen(path, "r");
	if (f == NULL) {
		log_error("crypt4: cannot open the key %s", path);
		return NULL;
	}
	k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (k == NULL || EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA ||
	    EVP_PKEY_get_bits(k) != CRYPT4_BITS) {
		log_error("crypt4: %s is no PEM RSA-%d public key", path,
		    CRYPT4_BITS);
		EVP_PKEY_free(k);
		return NULL;
	}
	crypt4_pkey = k;
	crypt4_failed = 0;
	return k;
}

enum crypt4_result
crypt_crypt4(const char *key_path, const char *link, size_t len,
    char out[CRYPT4_MAX])
{
	unsigned char enc[CRYPT4_BITS / 8];
	size_t enclen = sizeof(enc), plen = strlen(CRYPT4_PREFIX);
	enum crypt4_result rc = CRYPT4_FAIL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key;

	out[0] = '\0';
	if (len > CRYPT4_BLOCK)
		return CRYPT4_TOO_LONG;
	key = crypt4_key(key_path);
	if (key == NULL)
		return CRYPT4_KEY;
	ctx = EVP_PKEY_CTX_new(key, NULL);
	if (ctx == NULL || EVP_PKEY_encrypt_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_encrypt(ctx, enc, &enclen, (const unsigned char *)link,
	    len) <= 0 || enclen != sizeof(enc)) {
		log_error("crypt4: encryption failed");
		goto out;
	}
	memcpy(out, CRYPT4_PREFIX, plen);
	/* 512 bytes make 684 base64 characters: they fit in out */
	EVP_EncodeBlock((unsigned char *)out + plen, enc, (int)enclen);
	rc = CRYPT4_OK;
out:
	EVP_PKEY_CTX_free(ctx);
	return rc;
}
