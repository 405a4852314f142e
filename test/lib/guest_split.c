/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "guest_split.h"

static void *
gs_backend_ptr(struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	struct vhp_mem_cache hint = { 0 };

	return vhp_gpa_to_hva_full(&gm->mem, gpa, len, &hint);
}

int
guest_split_init(struct guest_split *g, struct guest_mem *gm, uint16_t size,
		 uint16_t vq_flags, uint8_t hdr_len, uint16_t base)
{
	struct vhp_virtqueue *vq;
	uint32_t i;

	memset(g, 0, sizeof(*g));
	g->callfd = -1;
	if (size == 0 || (size & (size - 1)) != 0)
		return -1;
	g->gm = gm;
	g->size = size;
	g->desc_gpa = guest_mem_alloc(gm, 16u * size, 16);
	g->avail_gpa = guest_mem_alloc(gm, 6u + 2u * size, 2);
	g->used_gpa = guest_mem_alloc(gm, 6u + 8u * size, 4);
	if (g->desc_gpa == 0 || g->avail_gpa == 0 || g->used_gpa == 0)
		return -1;
	g->desc = guest_mem_ptr(gm, g->desc_gpa);
	g->avail = guest_mem_ptr(gm, g->avail_gpa);
	g->used = guest_mem_ptr(gm, g->used_gpa);
	memset(g->desc, 0, 16u * size);
	memset(g->avail, 0, 6u + 2u * size);
	memset(g->used, 0, 6u + 8u * size);
	g->avail->idx = base;
	g->used->idx = base;
	g->avail_idx = base;
	g->last_used = base;

	g->free_fifo = calloc(size, sizeof(uint16_t));
	g->priv_next = calloc(size, sizeof(uint16_t));
	g->chain_n = calloc(size, sizeof(uint16_t));
	g->priv_segs = calloc(size, sizeof(struct gs_seg *));
	g->priv_nseg = calloc(size, sizeof(uint16_t));
	vq = aligned_alloc(RTE_CACHE_LINE_SIZE,
			   RTE_ALIGN_CEIL(sizeof(*vq), RTE_CACHE_LINE_SIZE));
	if (g->free_fifo == NULL || g->priv_next == NULL ||
	    g->chain_n == NULL || g->priv_segs == NULL ||
	    g->priv_nseg == NULL || vq == NULL) {
		free(vq);
		guest_split_fini(g);
		return -1;
	}
	for (i = 0; i < size; i++)
		g->free_fifo[i] = (uint16_t)i;
	g->free_head = 0;
	g->free_tail = size;

	memset(vq, 0, sizeof(*vq));
	g->vq = vq;
	vq->desc = gs_backend_ptr(gm, g->desc_gpa, 16u * size);
	vq->avail = gs_backend_ptr(gm, g->avail_gpa, 6u + 2u * size);
	vq->used = gs_backend_ptr(gm, g->used_gpa, 6u + 8u * size);
	if (vq->desc == NULL || vq->avail == NULL || vq->used == NULL) {
		guest_split_fini(g);
		return -1;
	}
	vq->mem = &gm->mem;
	vq->hdr_len = hdr_len;
	vq->flags = vq_flags;
	vq->size = size;
	vq->size_mask = (uint16_t)(size - 1);
	vq->last_avail_idx = base;
	vq->last_used_idx = base;
	vq->signalled_used = base;
	vq->shadow_used = calloc(size, sizeof(struct vring_used_elem));
	vq->desc_scratch = aligned_alloc(RTE_CACHE_LINE_SIZE,
		RTE_ALIGN_CEIL(16u * size, RTE_CACHE_LINE_SIZE));
	g->callfd = eventfd(0, EFD_NONBLOCK);
	vq->callfd = g->callfd;
	vq->kickfd = -1;
	vq->errfd = -1;
	vq->num = size;
	vq->base = base;
	vq->dev = NULL;
	if (vq->shadow_used == NULL || vq->desc_scratch == NULL ||
	    g->callfd < 0) {
		guest_split_fini(g);
		return -1;
	}
	vhp_vq_suppress_kicks(vq);
	vq->ready = 1;
	return 0;
}

void
guest_split_fini(struct guest_split *g)
{
	uint32_t i;

	if (g->vq != NULL) {
		free(g->vq->shadow_used);
		free(g->vq->desc_scratch);
		free(g->vq);
	}
	if (g->priv_segs != NULL)
		for (i = 0; i < g->size; i++)
			free(g->priv_segs[i]);
	free(g->free_fifo);
	free(g->priv_next);
	free(g->chain_n);
	free(g->priv_segs);
	free(g->priv_nseg);
	if (g->callfd >= 0)
		close(g->callfd);
	memset(g, 0, sizeof(*g));
	g->callfd = -1;
}

static int
gs_desc_alloc(struct guest_split *g)
{
	if (g->free_head == g->free_tail)
		return -1;
	return g->free_fifo[g->free_head++ % g->size];
}

static void
gs_desc_free(struct guest_split *g, uint16_t idx)
{
	g->free_fifo[g->free_tail++ % g->size] = idx;
}

int
guest_split_add(struct guest_split *g, const struct gs_seg *segs,
		unsigned int nseg, bool write, bool indirect)
{
	uint16_t wflag = write ? VRING_DESC_F_WRITE : 0;
	struct vring_desc *table;
	struct gs_seg *copy;
	int head, prev = -1, d;
	unsigned int i;

	if (nseg == 0 || (!indirect && nseg > (unsigned int)(g->free_tail -
							    g->free_head)))
		return -1;
	copy = calloc(nseg, sizeof(*copy));
	if (copy == NULL)
		return -1;
	for (i = 0; i < nseg; i++) {
		copy[i] = segs[i];
		if (copy[i].gpa == 0)
			copy[i].gpa = guest_mem_alloc(g->gm,
						      copy[i].len ? copy[i].len : 1, 8);
		if (copy[i].gpa == 0) {
			free(copy);
			return -1;
		}
	}
	if (indirect) {
		uint64_t tgpa = guest_mem_alloc(g->gm, 16u * nseg, 16);

		head = gs_desc_alloc(g);
		if (tgpa == 0 || head < 0) {
			free(copy);
			return -1;
		}
		table = guest_mem_ptr(g->gm, tgpa);
		for (i = 0; i < nseg; i++) {
			table[i].addr = copy[i].gpa;
			table[i].len = copy[i].len;
			table[i].flags = (uint16_t)(wflag | (i + 1 < nseg ?
						VRING_DESC_F_NEXT : 0));
			table[i].next = (uint16_t)(i + 1 < nseg ? i + 1 : 0);
		}
		g->desc[head].addr = tgpa;
		g->desc[head].len = 16u * nseg;
		g->desc[head].flags = VRING_DESC_F_INDIRECT;
		g->desc[head].next = 0;
		g->chain_n[head] = 1;
	} else {
		head = -1;
		for (i = 0; i < nseg; i++) {
			d = gs_desc_alloc(g);
			if (head < 0)
				head = d;
			g->desc[d].addr = copy[i].gpa;
			g->desc[d].len = copy[i].len;
			g->desc[d].flags = wflag;
			g->desc[d].next = 0;
			if (prev >= 0) {
				g->desc[prev].flags |= VRING_DESC_F_NEXT;
				g->desc[prev].next = (uint16_t)d;
				g->priv_next[prev] = (uint16_t)d;
			}
			prev = d;
		}
		g->chain_n[head] = (uint16_t)nseg;
	}
	free(g->priv_segs[head]);
	g->priv_segs[head] = copy;
	g->priv_nseg[head] = (uint16_t)nseg;
	g->avail->ring[g->avail_idx & (g->size - 1)] = (uint16_t)head;
	g->avail_idx++;
	return head;
}

void
guest_split_add_raw(struct guest_split *g, uint16_t head)
{
	g->avail->ring[g->avail_idx & (g->size - 1)] = head;
	g->avail_idx++;
}

void
guest_split_publish(struct guest_split *g)
{
	__atomic_store_n(&g->avail->idx, g->avail_idx, __ATOMIC_RELEASE);
}

int
guest_split_post_rx(struct guest_split *g, const uint32_t *lens,
		    unsigned int nseg, bool indirect)
{
	struct gs_seg segs[64] = { { 0, 0 } };
	unsigned int i;
	int head;

	if (nseg > RTE_DIM(segs))
		return -1;
	for (i = 0; i < nseg; i++) {
		segs[i].gpa = 0;
		segs[i].len = lens[i];
	}
	head = guest_split_add(g, segs, nseg, true, indirect);
	if (head >= 0) {
		/* Poison so that untouched bytes are recognisable. */
		for (i = 0; i < nseg; i++)
			memset(guest_mem_ptr(g->gm,
					     g->priv_segs[head][i].gpa), 0xee,
			       lens[i]);
		guest_split_publish(g);
	}
	return head;
}

int
guest_split_post_tx(struct guest_split *g, const void *data, uint32_t len,
		    const uint32_t *seg_lens, unsigned int nseg, bool indirect)
{
	uint32_t hdr_len = g->vq->hdr_len, total = hdr_len + len, off = 0;
	struct gs_seg segs[64] = { { 0, 0 } };
	uint8_t *flat, *p;
	unsigned int i;
	uint32_t sum = 0;
	int head;

	if (seg_lens == NULL) {
		nseg = 1;
		segs[0].len = total;
	} else {
		if (nseg > RTE_DIM(segs))
			return -1;
		for (i = 0; i < nseg; i++) {
			segs[i].len = seg_lens[i];
			sum += seg_lens[i];
		}
		if (sum != total)
			return -1;
	}
	for (i = 0; i < nseg; i++)
		segs[i].gpa = 0;
	flat = calloc(1, total ? total : 1);
	if (flat == NULL)
		return -1;
	memcpy(flat + hdr_len, data, len);
	head = guest_split_add(g, segs, nseg, false, indirect);
	if (head >= 0) {
		for (i = 0; i < nseg; i++) {
			p = guest_mem_ptr(g->gm, g->priv_segs[head][i].gpa);
			memcpy(p, flat + off, g->priv_segs[head][i].len);
			off += g->priv_segs[head][i].len;
		}
		guest_split_publish(g);
	}
	free(flat);
	return head;
}

uint16_t
guest_split_used_pending(const struct guest_split *g)
{
	return (uint16_t)(__atomic_load_n(&g->used->idx, __ATOMIC_ACQUIRE) -
			  g->last_used);
}

int
guest_split_get_used(struct guest_split *g, uint32_t *id, uint32_t *len,
		     void *out, size_t cap)
{
	struct vring_used_elem e;
	uint32_t copied = 0, n, i, k;
	uint16_t d;

	if (guest_split_used_pending(g) == 0)
		return -1;
	e = g->used->ring[g->last_used & (g->size - 1)];
	g->last_used++;
	*id = e.id;
	*len = e.len;
	if (e.id >= g->size || g->priv_segs[e.id] == NULL)
		return -1;
	for (i = 0; out != NULL && i < g->priv_nseg[e.id] &&
	     copied < e.len && copied < cap; i++) {
		n = g->priv_segs[e.id][i].len;
		n = RTE_MIN(n, e.len - copied);
		n = RTE_MIN(n, (uint32_t)cap - copied);
		memcpy((uint8_t *)out + copied,
		       guest_mem_ptr(g->gm, g->priv_segs[e.id][i].gpa), n);
		copied += n;
	}
	d = (uint16_t)e.id;
	for (k = 0; k < g->chain_n[e.id]; k++) {
		uint16_t nx = g->priv_next[d];

		gs_desc_free(g, d);
		d = nx;
	}
	g->chain_n[e.id] = 0;
	free(g->priv_segs[e.id]);
	g->priv_segs[e.id] = NULL;
	g->priv_nseg[e.id] = 0;
	return (int)copied;
}

int
guest_split_rx_packet(struct guest_split *g, struct virtio_net_hdr *hdr,
		      uint16_t *num_buffers, void *out, size_t cap)
{
	uint32_t hdr_len = g->vq->hdr_len, id, len;
	uint8_t *buf;
	size_t bufcap = 65536 + 64, have;
	uint16_t nb = 1, i;
	int n, ret = -1;

	buf = malloc(bufcap);
	if (buf == NULL)
		return -1;
	n = guest_split_get_used(g, &id, &len, buf, bufcap);
	if (n < 0 || (uint32_t)n < hdr_len)
		goto out;
	have = (size_t)n;
	memset(hdr, 0, sizeof(*hdr));
	memcpy(hdr, buf, hdr_len);
	if (g->vq->flags & VHP_VQ_F_MRG_RXBUF)
		nb = hdr->num_buffers;
	for (i = 1; i < nb; i++) {
		n = guest_split_get_used(g, &id, &len, buf + have,
					 bufcap - have);
		if (n < 0)
			goto out;
		have += (size_t)n;
	}
	*num_buffers = nb;
	if (have - hdr_len > cap)
		goto out;
	memcpy(out, buf + hdr_len, have - hdr_len);
	ret = (int)(have - hdr_len);
out:
	free(buf);
	return ret;
}

void
guest_split_set_used_event(struct guest_split *g, uint16_t ev)
{
	__atomic_store_n(&g->avail->ring[g->size], ev, __ATOMIC_RELEASE);
}

void
guest_split_set_no_interrupt(struct guest_split *g, bool on)
{
	__atomic_store_n(&g->avail->flags, on ? VRING_AVAIL_F_NO_INTERRUPT : 0,
			 __ATOMIC_RELEASE);
}

uint64_t
guest_split_irqs(struct guest_split *g)
{
	uint64_t v = 0;

	if (read(g->callfd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return 0;
	return v;
}
