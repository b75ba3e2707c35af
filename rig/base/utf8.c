#include "rig/base/utf8.h"

#include <stdio.h>
#include <string.h>

/* Length of the sequence starting at s (at most n bytes), 0 if invalid. */
static size_t sequence(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* past U+10FFFF */
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

const char *utf8_problem(const char *text, size_t n, char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;

	for (size_t i = 0; i < n;) {
		size_t k;

		if (s[i] == 0) {
			snprintf(buf, len, "a NUL byte at offset %zu (text holds none)", i);
			return buf;
		}
		k = sequence(s + i, n - i);
		if (!k) {
			snprintf(buf, len, "not valid UTF-8 (byte 0x%02x at offset %zu)", s[i], i);
			return buf;
		}
		i += k;
	}
	return NULL;
}

size_t utf8_escape(const char *text, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)text;
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		size_t k = s[i] ? sequence(s + i, n - i) : 0;

		if (k) {
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[s[i] >> 4];
			out[o++] = hex[s[i] & 15];
			i++;
		}
	}
	return o;
}
