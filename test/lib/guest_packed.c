/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "guest_packed.h"

#define GP_DESC_SIZE	sizeof(struct vring_packed_desc)

static uint16_t
gp_avail_bits(uint8_t wrap)
{
	return wrap ? VRING_PACKED_DESC_F_AVAIL : VRING_PACKED_DESC_F_USED;
}

static struct vhp_virtqueue *
gp_make_vq(struct guest_packed *gp, uint16_t vq_flags, uint8_t hdr_len,
	   int callfd)
{
	struct vhp_virtqueue *vq;
	struct vhp_mem_cache hint = { 0 };
	size_t sz = RTE_ALIGN_CEIL(sizeof(*vq), RTE_CACHE_LINE_SIZE);

	vq = aligned_alloc(RTE_CACHE_LINE_SIZE, sz);
	if (vq == NULL)
		return NULL;
	memset(vq, 0, sz);
	vq->mem = &gp->gm->mem;
	vq->desc_packed = vhp_gpa_to_hva_full(vq->mem, gp->desc_gpa,
					      (uint64_t)gp->size * GP_DESC_SIZE,
					      &hint);
	vq->driver_event = vhp_gpa_to_hva_full(vq->mem, gp->driver_event_gpa,
			sizeof(struct vring_packed_desc_event), &hint);
	vq->device_event = vhp_gpa_to_hva_full(vq->mem, gp->device_event_gpa,
			sizeof(struct vring_packed_desc_event), &hint);
	vq->shadow_used = calloc(gp->size, sizeof(*vq->shadow_used));
	vq->shadow_count_desc = calloc(gp->size, sizeof(uint16_t));
	vq->desc_scratch = calloc(gp->size, sizeof(struct vring_desc));
	if (vq->desc_packed == NULL || vq->driver_event == NULL ||
	    vq->device_event == NULL || vq->shadow_used == NULL ||
	    vq->shadow_count_desc == NULL || vq->desc_scratch == NULL) {
		free(vq->shadow_used);
		free(vq->shadow_count_desc);
		free(vq->desc_scratch);
		free(vq);
		return NULL;
	}
	vq->hdr_len = hdr_len;
	vq->flags = (uint16_t)(vq_flags | VHP_VQ_F_PACKED);
	vq->size = gp->size;
	vq->size_mask = (uint16_t)(gp->size - 1);
	vq->avail_wrap = 1;
	vq->used_wrap = 1;
	vq->callfd = callfd;
	vq->dev = NULL;
	vq->index = (vq_flags & VHP_VQ_F_TX) ? 1 : 0;
	vq->num = gp->size;
	vq->enabled = true;
	vq->started = true;
	vq->kickfd = -1;
	vq->errfd = -1;
	vq->numa_node = -1;
	vq->ready = 1;
	return vq;
}

static void
gp_free_vq(struct vhp_virtqueue *vq)
{
	if (vq == NULL)
		return;
	free(vq->shadow_used);
	free(vq->shadow_count_desc);
	free(vq->desc_scratch);
	free(vq);
}

int
gp_init(struct guest_packed *gp, struct guest_mem *gm, uint16_t size,
	uint32_t buf_size, uint16_t vq_flags, uint8_t hdr_len)
{
	uint16_t i;
	int fd;

	memset(gp, 0, sizeof(*gp));
	gp->gm = gm;
	gp->size = size;
	gp->buf_size = buf_size;
	gp->desc_gpa = guest_mem_alloc(gm, (uint64_t)size * GP_DESC_SIZE, 64);
	gp->driver_event_gpa = guest_mem_alloc(gm, 4, 4);
	gp->device_event_gpa = guest_mem_alloc(gm, 4, 4);
	if (gp->desc_gpa == 0 || gp->driver_event_gpa == 0 ||
	    gp->device_event_gpa == 0)
		return -1;
	gp->desc = guest_mem_ptr(gm, gp->desc_gpa);
	gp->driver_event = guest_mem_ptr(gm, gp->driver_event_gpa);
	gp->device_event = guest_mem_ptr(gm, gp->device_event_gpa);
	memset(gp->desc, 0, (size_t)size * GP_DESC_SIZE);
	memset(gp->driver_event, 0, 4);
	memset(gp->device_event, 0, 4);
	gp->avail_wrap = 1;
	gp->used_wrap = 1;
	gp->num_free = size;
	gp->free_ids = calloc(size, sizeof(uint16_t));
	gp->posted = calloc(size, sizeof(*gp->posted));
	gp->id_buf = calloc(size, sizeof(uint64_t));
	gp->id_table = calloc(size, sizeof(uint64_t));
	if (gp->free_ids == NULL || gp->posted == NULL ||
	    gp->id_buf == NULL || gp->id_table == NULL)
		goto fail;
	for (i = 0; i < size; i++) {
		/* Pop order 0, 1, 2, ... */
		gp->free_ids[i] = (uint16_t)(size - 1 - i);
		gp->id_buf[i] = buf_size ? guest_mem_alloc(gm, buf_size, 64)
					 : 0;
		gp->id_table[i] = guest_mem_alloc(gm,
				(uint64_t)size * GP_DESC_SIZE, 16);
		if ((buf_size && gp->id_buf[i] == 0) || gp->id_table[i] == 0)
			goto fail;
	}
	gp->nfree_ids = size;
	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (fd < 0)
		goto fail;
	gp->vq = gp_make_vq(gp, vq_flags, hdr_len, fd);
	if (gp->vq == NULL) {
		close(fd);
		goto fail;
	}
	return 0;
fail:
	free(gp->free_ids);
	free(gp->posted);
	free(gp->id_buf);
	free(gp->id_table);
	memset(gp, 0, sizeof(*gp));
	return -1;
}

void
gp_free(struct guest_packed *gp)
{
	if (gp->vq != NULL) {
		if (gp->vq->callfd >= 0)
			close(gp->vq->callfd);
		gp_free_vq(gp->vq);
	}
	free(gp->free_ids);
	free(gp->posted);
	free(gp->id_buf);
	free(gp->id_table);
	memset(gp, 0, sizeof(*gp));
}

int
gp_rebuild_vq(struct guest_packed *gp, uint16_t last_avail_idx,
	      uint8_t avail_wrap, uint16_t last_used_idx, uint8_t used_wrap)
{
	struct vhp_virtqueue *old = gp->vq, *vq;

	vq = gp_make_vq(gp, old->flags, old->hdr_len, old->callfd);
	if (vq == NULL)
		return -1;
	vq->last_avail_idx = last_avail_idx;
	vq->avail_wrap = avail_wrap;
	vq->last_used_idx = last_used_idx;
	vq->used_wrap = used_wrap;
	gp_free_vq(old);
	gp->vq = vq;
	return 0;
}

static int
gp_take_id(struct guest_packed *gp, uint16_t *id)
{
	if (gp->nfree_ids == 0)
		return -1;
	*id = gp->free_ids[--gp->nfree_ids];
	return 0;
}

static void
gp_record(struct guest_packed *gp, uint16_t id, uint16_t ndesc, bool own)
{
	struct gp_posted *p;

	p = &gp->posted[(gp->posted_head + gp->posted_count) % gp->size];
	p->id = id;
	p->ndesc = ndesc;
	p->own_id = own;
	gp->posted_count++;
	gp->num_free = (uint16_t)(gp->num_free - ndesc);
}

/* Write descriptors d[0..n) at next_avail, head flags last. */
static void
gp_write_descs(struct guest_packed *gp, const struct vring_packed_desc *d,
	       unsigned int n)
{
	uint16_t head = gp->next_avail, slot = head;
	uint8_t wrap = gp->avail_wrap;
	uint16_t head_flags = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint16_t f = (uint16_t)((d[i].flags &
			~(VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED))
			| gp_avail_bits(wrap));

		gp->desc[slot].addr = d[i].addr;
		gp->desc[slot].len = d[i].len;
		gp->desc[slot].id = d[i].id;
		if (i == 0)
			head_flags = f;
		else
			__atomic_store_n(&gp->desc[slot].flags, f,
					 __ATOMIC_RELAXED);
		if (++slot == gp->size) {
			slot = 0;
			wrap ^= 1;
		}
	}
	__atomic_store_n(&gp->desc[head].flags, head_flags, __ATOMIC_RELEASE);
	gp->next_avail = slot;
	gp->avail_wrap = wrap;
}

static int
gp_post_id(struct guest_packed *gp, const struct gp_seg *segs, unsigned int n,
	   unsigned int mode, uint16_t id, bool from_free)
{
	struct vring_packed_desc d[1];
	struct vring_packed_desc *chain;
	uint16_t wflag = (mode & GP_WRITE) ? VRING_DESC_F_WRITE : 0;
	unsigned int i;

	if (n == 0 || n > gp->size)
		return -1;
	if (mode & GP_INDIRECT) {
		struct vring_packed_desc *t;

		if (gp->num_free < 1 || id >= gp->size)
			return -1;
		t = guest_mem_ptr(gp->gm, gp->id_table[id]);
		for (i = 0; i < n; i++) {
			t[i].addr = segs[i].gpa;
			t[i].len = segs[i].len;
			t[i].id = 0;
			t[i].flags = wflag;
		}
		d[0].addr = gp->id_table[id];
		d[0].len = (uint32_t)(n * GP_DESC_SIZE);
		d[0].id = id;
		d[0].flags = VRING_DESC_F_INDIRECT;
		gp_write_descs(gp, d, 1);
		gp_record(gp, id, 1, from_free);
		return 0;
	}
	if (gp->num_free < n)
		return -1;
	chain = calloc(n, sizeof(*chain));
	if (chain == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		chain[i].addr = segs[i].gpa;
		chain[i].len = segs[i].len;
		chain[i].id = id;
		chain[i].flags = (uint16_t)(wflag |
				(i + 1 < n ? VRING_DESC_F_NEXT : 0));
	}
	gp_write_descs(gp, chain, n);
	gp_record(gp, id, (uint16_t)n, from_free);
	free(chain);
	return 0;
}

int
gp_post(struct guest_packed *gp, const struct gp_seg *segs, unsigned int n,
	unsigned int mode, uint16_t *id, bool own_id)
{
	uint16_t need = (mode & GP_INDIRECT) ? 1 : (uint16_t)n;

	if (gp->num_free < need)
		return -1;
	if (!own_id && gp_take_id(gp, id) != 0)
		return -1;
	if (gp_post_id(gp, segs, n, mode, *id, !own_id) != 0) {
		if (!own_id)
			gp->free_ids[gp->nfree_ids++] = *id;
		return -1;
	}
	return 0;
}

int
gp_post_raw(struct guest_packed *gp, const struct vring_packed_desc *d,
	    unsigned int n)
{
	if (n == 0 || n > gp->num_free)
		return -1;
	gp_write_descs(gp, d, n);
	gp_record(gp, d[n - 1].id, (uint16_t)n, false);
	return 0;
}

int
gp_post_rx(struct guest_packed *gp, uint32_t len, uint16_t *id)
{
	struct gp_seg s;

	if (gp->num_free < 1 || gp_take_id(gp, id) != 0)
		return -1;
	s.gpa = gp->id_buf[*id];
	s.len = len ? len : gp->buf_size;
	memset(gp_buf(gp, *id), 0xee, s.len);
	if (gp_post_id(gp, &s, 1, GP_WRITE, *id, true) != 0) {
		gp->free_ids[gp->nfree_ids++] = *id;
		return -1;
	}
	return 0;
}

int
gp_post_tx(struct guest_packed *gp, const void *data, uint32_t len,
	   unsigned int nseg, bool indirect, uint16_t *id)
{
	uint32_t hdr_len = gp->vq->hdr_len;
	uint32_t total = hdr_len + len, off = 0, piece, i;
	struct gp_seg *segs;
	uint8_t *p;
	int rc;

	if (nseg == 0 || total > gp->buf_size || nseg > total)
		return -1;
	if (gp->num_free < (indirect ? 1 : nseg) || gp_take_id(gp, id) != 0)
		return -1;
	p = gp_buf(gp, *id);
	memset(p, 0, hdr_len);
	memcpy(p + hdr_len, data, len);
	segs = calloc(nseg, sizeof(*segs));
	if (segs == NULL) {
		gp->free_ids[gp->nfree_ids++] = *id;
		return -1;
	}
	piece = total / nseg;
	for (i = 0; i < nseg; i++) {
		segs[i].gpa = gp->id_buf[*id] + off;
		segs[i].len = i + 1 < nseg ? piece : total - off;
		off += segs[i].len;
	}
	rc = gp_post_id(gp, segs, nseg, indirect ? GP_INDIRECT : 0, *id,
			true);
	free(segs);
	if (rc != 0)
		gp->free_ids[gp->nfree_ids++] = *id;
	return rc;
}

int
gp_get_used(struct guest_packed *gp, struct gp_used *u)
{
	struct vring_packed_desc *d = &gp->desc[gp->next_used];
	uint16_t flags = __atomic_load_n(&d->flags, __ATOMIC_ACQUIRE);
	uint16_t id, k, ndesc = 0, n;
	bool avail = !!(flags & VRING_PACKED_DESC_F_AVAIL);
	bool used = !!(flags & VRING_PACKED_DESC_F_USED);
	uint32_t pos;

	if (avail != gp->used_wrap || used != gp->used_wrap)
		return 0;
	id = d->id;
	/* Find the id among the posted buffers, in order. */
	for (k = 0; k < gp->posted_count; k++)
		if (gp->posted[(gp->posted_head + k) % gp->size].id == id)
			break;
	if (k == gp->posted_count)
		return -1;
	u->id = id;
	u->len = d->len;
	u->flags = flags;
	u->slot = gp->next_used;
	u->id_match = k == 0;
	n = (uint16_t)(k + 1);
	for (k = 0; k < n; k++) {
		struct gp_posted *p = &gp->posted[gp->posted_head];

		ndesc = (uint16_t)(ndesc + p->ndesc);
		if (p->own_id)
			gp->free_ids[gp->nfree_ids++] = p->id;
		gp->posted_head = (uint16_t)((gp->posted_head + 1) % gp->size);
		gp->posted_count--;
	}
	u->nbufs = n;
	u->ndesc = ndesc;
	gp->num_free = (uint16_t)(gp->num_free + ndesc);
	pos = (uint32_t)gp->next_used + ndesc;
	if (pos >= gp->size) {
		pos -= gp->size;
		gp->used_wrap ^= 1;
	}
	gp->next_used = (uint16_t)pos;
	return 1;
}

void
gp_set_driver_event(struct guest_packed *gp, uint16_t flags, uint16_t off,
		    uint8_t wrap)
{
	__atomic_store_n(&gp->driver_event->off_wrap,
			 (uint16_t)((off & 0x7fff) | (wrap ? 0x8000 : 0)),
			 __ATOMIC_RELAXED);
	__atomic_store_n(&gp->driver_event->flags, flags, __ATOMIC_SEQ_CST);
}

uint64_t
gp_irq_count(struct guest_packed *gp)
{
	uint64_t v = 0;

	if (gp->vq == NULL || gp->vq->callfd < 0)
		return 0;
	if (read(gp->vq->callfd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return 0;
	return v;
}

uint8_t *
gp_buf(struct guest_packed *gp, uint16_t id)
{
	return guest_mem_ptr(gp->gm, gp->id_buf[id]);
}

void
gp_pattern(uint8_t *p, uint32_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;
	uint32_t i;

	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
}
