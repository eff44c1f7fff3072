#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "crypt.h"

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

int
crypt_random_string(char *out, size_t len, const char *alphabet)
{
	unsigned char r[64];
	size_t n = strlen(alphabet), o = 0, i;
	/* reject bytes above the largest multiple of n: no modulo bias */
	unsigned int limit = 256 - 256 % (unsigned int)n;

	while (o < len) {
		if (RAND_bytes(r, sizeof(r)) != 1)
			return -1;
		for (i = 0; i < sizeof(r) && o < len; i++)
			if (r[i] < limit)
				out[o++] = alphabet[r[i] % n];
	}
	out[len] = '\0';
	return 0;
}
