// SPDX-License-Identifier: GPL-2.0
/*
 * ipcbench: the messages, and the checks every receiver makes on them
 * (sequence number, producer id, --quick checksum).
 */
#include "ipcbench.h"

/* ---- messages -------------------------------------------------------- */

struct hdr {
	uint32_t seq;
	uint32_t tag;		/* producer id << 24 | checksum (24 bits) */
};

static uint32_t checksum(uint32_t seq, unsigned int prod, const unsigned char *p,
			 unsigned int len)
{
	uint32_t h = 2166136261U ^ seq ^ (prod << 24);

	for (unsigned int i = HDR; i < len; i++)
		h = (h ^ p[i]) * 16777619U;
	h ^= h >> 24;
	return h & 0xffffff;
}

/*
 * Fill the message: the header always; in quick mode a payload that
 * depends on the sequence number too (otherwise the payload was filled
 * once, and only the header changes).
 */
void make_msg(unsigned char *buf, unsigned int len, uint32_t seq,
	      unsigned int prod)
{
	struct hdr h = { .seq = seq };

	if (opt_quick)
		for (unsigned int i = HDR; i < len; i++)
			buf[i] = (unsigned char)(seq * 131 + i * 7 + prod);
	h.tag = prod << 24 | (opt_quick ? checksum(seq, prod, buf, len) : 0);
	memcpy(buf, &h, sizeof(h));
}

/* Check a received message; returns its producer id. */
unsigned int check_msg(const unsigned char *buf, long len,
		       unsigned int size, const char *what)
{
	struct hdr h;
	unsigned int prod;

	if (len != (long)size)
		die("%s: message of %ld bytes, expected %u", what, len, size);
	memcpy(&h, buf, sizeof(h));
	prod = h.tag >> 24;
	if (prod >= MAXPROC)
		die("%s: bad producer id %u (seq %u)", what, prod, h.seq);
	if (opt_quick && h.seq != SEQ_STOP &&
	    (h.tag & 0xffffff) != checksum(h.seq, prod, buf, size))
		die("%s: checksum mismatch in message %u of producer %u",
		    what, h.seq, prod);
	return prod;
}

uint32_t msg_seq(const unsigned char *buf)
{
	struct hdr h;

	memcpy(&h, buf, sizeof(h));
	return h.seq;
}

unsigned char *msg_buffer(unsigned int size)
{
	/* 64 bytes in front: room for the mtype of System V messages */
	unsigned char *raw = aligned_alloc(64, 64 + ((size + 63) & ~63U));

	if (!raw)
		die("out of memory");
	memset(raw, 0, 64 + size);
	for (unsigned int i = HDR; i < size; i++)
		raw[64 + i] = (unsigned char)i;
	return raw + 64;
}
