#ifndef LL_CRYPT_H
#define LL_CRYPT_H

#include <stddef.h>

/* Hashing, random codes and key hashing (OpenSSL). */

#define CRYPT_SHA256_HEX 65	/* bytes for 64 hex digits and NUL */

/* Writes the lowercase hex SHA-256 of len bytes of data into out. */
void crypt_sha256_hex(const void *data, size_t len, char out[CRYPT_SHA256_HEX]);

/* Writes the keyed hash (HMAC-SHA256 under secret) of key as hex into out. */
void crypt_key_hash(const unsigned char *secret, size_t secret_len,
    const char *key, char out[CRYPT_SHA256_HEX]);

/* Compares two NUL-terminated strings of equal length in constant time.
 * Returns 1 when equal; strings of different lengths are never equal. */
int crypt_equal(const char *a, const char *b);

/* Fills out with len characters drawn uniformly from alphabet using the
 * cryptographic random source, then a NUL. Returns 0, or -1 when the
 * random source fails. */
int crypt_random_string(char *out, size_t len, const char *alphabet);

#define CRYPT_ALNUM \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
#define CRYPT_KEYCHARS CRYPT_ALNUM "-_"

#endif
