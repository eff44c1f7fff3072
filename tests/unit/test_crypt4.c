/* happ://crypt4/ links, checked with a key pair of the test's own: only
 * the app holds the private half of Happ's key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "crypt.h"
#include "testhelp.h"

#define B64_LEN 684	/* base64 characters of one 512-byte block */

static char key_path[512], small_path[512];

/* Makes an RSA key of bits and writes its public half to path. */
static EVP_PKEY *
make_key(unsigned int bits, const char *path)
{
	EVP_PKEY *k;
	FILE *f;

	k = EVP_RSA_gen(bits);
	if (k == NULL)
		return NULL;
	f = fopen(path, "w");
	if (f == NULL || PEM_write_PUBKEY(f, k) != 1) {
		if (f != NULL)
			fclose(f);
		EVP_PKEY_free(k);
		return NULL;
	}
	fclose(f);
	return k;
}

/* Whether s is standard base64 with padding, of B64_LEN characters. */
static int
is_base64(const char *s)
{
	size_t n = strlen(s), body;

	if (n != B64_LEN)
		return 0;
	body = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/");
	/* 512 bytes: 170 groups of 3 and 2 bytes over, so one '=' */
	return body == n - 1 && strcmp(s + body, "=") == 0;
}

/* Decrypts an encrypted link with priv; returns the text (malloc'd) or
 * NULL. */
static char *
decrypt(EVP_PKEY *priv, const char *enc)
{
	unsigned char raw[520], *out = NULL;
	EVP_PKEY_CTX *ctx;
	size_t outlen = 0;
	int n;

	if (strncmp(enc, CRYPT4_PREFIX, strlen(CRYPT4_PREFIX)) != 0)
		return NULL;
	enc += strlen(CRYPT4_PREFIX);
	n = EVP_DecodeBlock(raw, (const unsigned char *)enc, (int)strlen(enc));
	if (n != 513)	/* the padding counts as a zero byte */
		return NULL;
	ctx = EVP_PKEY_CTX_new(priv, NULL);
	if (ctx == NULL || EVP_PKEY_decrypt_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_decrypt(ctx, NULL, &outlen, raw, 512) <= 0)
		goto out;
	out = malloc(outlen + 1);
	if (EVP_PKEY_decrypt(ctx, out, &outlen, raw, 512) <= 0) {
		free(out);
		out = NULL;
		goto out;
	}
	out[outlen] = '\0';
out:
	EVP_PKEY_CTX_free(ctx);
	return (char *)out;
}

int
main(void)
{
	const char *link = "https://sub.example.com/s/abc#My%20VPN?installid="
	    "6P0hVao1fG5e";
	char enc[CRYPT4_MAX], enc2[CRYPT4_MAX], longest[CRYPT4_BLOCK + 2];
	const char *dir;
	EVP_PKEY *priv, *small;
	char *plain;

	dir = getenv("LL_TEST_OUT");
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	snprintf(key_path, sizeof(key_path), "%s/crypt4-test-%d.pem", dir,
	    (int)getpid());
	snprintf(small_path, sizeof(small_path), "%s/crypt4-small-%d.pem", dir,
	    (int)getpid());
	priv = make_key(4096, key_path);
	small = make_key(2048, small_path);

	TEST("crypt4: a key pair of the test's own");
	ASSERT(priv != NULL);
	ASSERT(small != NULL);
	if (priv == NULL || small == NULL)
		return TEST_REPORT("crypt4");

	TEST("crypt4: prefix, base64 and length");
	ASSERT(crypt_crypt4(key_path, link, strlen(link), enc) == CRYPT4_OK);
	ASSERT(strncmp(enc, "happ://crypt4/", 14) == 0);
	ASSERT(strlen(enc) == 14 + B64_LEN);
	ASSERT(is_base64(enc + 14));

	TEST("crypt4: decrypts to the link");
	plain = decrypt(priv, enc);
	ASSERT_STR(plain, link);
	free(plain);

	TEST("crypt4: random padding, same link");
	ASSERT(crypt_crypt4(key_path, link, strlen(link), enc2) == CRYPT4_OK);
	ASSERT(strcmp(enc, enc2) != 0);
	plain = decrypt(priv, enc2);
	ASSERT_STR(plain, link);
	free(plain);

	TEST("crypt4: 501 bytes fit, 502 do not");
	memset(longest, 'a', sizeof(longest));
	memcpy(longest, "https://a.example/", 18);
	longest[CRYPT4_BLOCK] = '\0';
	ASSERT(crypt_crypt4(key_path, longest, CRYPT4_BLOCK, enc) ==
	    CRYPT4_OK);
	plain = decrypt(priv, enc);
	ASSERT_STR(plain, longest);
	free(plain);
	longest[CRYPT4_BLOCK] = 'a';
	longest[CRYPT4_BLOCK + 1] = '\0';
	ASSERT(crypt_crypt4(key_path, longest, CRYPT4_BLOCK + 1, enc) ==
	    CRYPT4_TOO_LONG);
	ASSERT_STR(enc, "");

	TEST("crypt4: a missing key or one of the wrong size is refused");
	ASSERT(crypt_crypt4("/nonexistent/key.pem", link, strlen(link), enc) ==
	    CRYPT4_KEY);
	ASSERT(crypt_crypt4(small_path, link, strlen(link), enc) ==
	    CRYPT4_KEY);

	TEST("crypt4: Happ's published key, shipped in the repository");
	ASSERT(crypt_crypt4("nginx/happ-crypt4-public.pem", link, strlen(link),
	    enc) == CRYPT4_OK);
	ASSERT(strlen(enc) == 14 + B64_LEN);
	ASSERT(is_base64(enc + 14));
	/* and back to the test key: the cached key follows the path */
	ASSERT(crypt_crypt4(key_path, link, strlen(link), enc) == CRYPT4_OK);
	plain = decrypt(priv, enc);
	ASSERT_STR(plain, link);
	free(plain);

	EVP_PKEY_free(priv);
	EVP_PKEY_free(small);
	unlink(key_path);
	unlink(small_path);
	return TEST_REPORT("crypt4");
}
