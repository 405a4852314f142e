/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dirty-page logging for live migration: marking what a flush wrote, and
 * the log's life on the control thread (map, swap under a grace period,
 * unmap). See dirty_log.h.
 *
 * What is marked, per flush, while logging is on:
 *  - RX buffers: for each used entry of the flush, the device-writable
 *    descriptors of its chain (indirect tables followed) up to the length
 *    written; a mergeable packet has one used entry per buffer;
 *  - split: the used entries written and then the used index;
 *  - packed: the descriptors written back (id, len, flags).
 * The chains are read again from the descriptor ring before the entries
 * are published, while the buffers are still the device's. A chain the
 * guest changed meanwhile only costs its own migration; walks are bounded
 * by the ring size and never leave guest memory.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_malloc.h>

#include "vhp_internal.h"

void
vhp_log_mark_range(struct vhp_dirty_log *log, uint64_t gpa, uint64_t len)
{
	uint64_t page, last;

	if (len == 0)
		return;
	page = gpa / VHP_LOG_PAGE;
	last = (gpa + len - 1) / VHP_LOG_PAGE;
	if (last < page)		/* wrapped */
		last = UINT64_MAX / VHP_LOG_PAGE;
	for (; page <= last; page++) {
		uint8_t bit = (uint8_t)(1u << (page % 8));
		uint8_t *b;

		if (page / 8 >= log->size) {
			__atomic_fetch_add(&log->skipped, 1, __ATOMIC_RELAXED);
			return;
		}
		b = &log->bits[page / 8];
		if (!(__atomic_load_n(b, __ATOMIC_RELAXED) & bit))
			__atomic_fetch_or(b, bit, __ATOMIC_RELAXED);
	}
}

/* Mark the device-writable part of one chain, up to @p len bytes. */
static void
log_chain(struct vhp_virtqueue *vq, struct vhp_dirty_log *log,
	  const struct vring_desc *table, uint32_t tsize, uint16_t first,
	  uint32_t len, bool indirect_ok)
{
	uint16_t i = first, steps;
	struct vring_desc d;

	for (steps = 0; len > 0 && steps < tsize; steps++) {
		if (i >= tsize)
			return;
		d = table[i];	/* the guest cannot hurt more than its log */
		if ((d.flags & VRING_DESC_F_INDIRECT) && indirect_ok) {
			const struct vring_desc *t = vhp_gpa_to_hva_full(
				vq->mem, d.addr, d.len, &vq->mem_hint);

			if (t != NULL && d.len % sizeof(*t) == 0)
				log_chain(vq, log, t, d.len / sizeof(*t), 0,
					  len, false);
			return;
		}
		if (d.flags & VRING_DESC_F_WRITE) {
			uint32_t n = RTE_MIN(d.len, len);

			vhp_log_mark(log, d.addr, n);
			len -= n;
		}
		if (!(d.flags & VRING_DESC_F_NEXT))
			return;
		i = d.next;
	}
}

void
vhp_log_split_flush(struct vhp_virtqueue *vq, struct vhp_dirty_log *log,
		    uint16_t start, uint16_t n)
{
	uint16_t i, slot;

	if (!(vq->flags & VHP_VQ_F_TX)) {
		for (i = 0; i < n; i++) {
			uint32_t id = vq->shadow_used[i].id;
			uint32_t len = vq->shadow_used[i].len;
			struct vring_desc d;

			if (unlikely(id >= vq->size))
				continue;
			d = vq->desc[id];
			/* The usual RX buffer: one writable descriptor. */
			if (likely(d.flags == VRING_DESC_F_WRITE)) {
				vhp_log_mark(log, d.addr, RTE_MIN(d.len, len));
				continue;
			}
			log_chain(vq, log, vq->desc, vq->size, (uint16_t)id,
				  len, true);
		}
	}
	/* used ring: flags, idx, then 8-byte entries */
	slot = start & vq->size_mask;
	if (slot + n <= vq->size) {
		vhp_log_mark(log, vq->log_ring_gpa + 4 + 8ull * slot, 8ull * n);
	} else {
		vhp_log_mark(log, vq->log_ring_gpa + 4 + 8ull * slot,
			     8ull * (vq->size - slot));
		vhp_log_mark(log, vq->log_ring_gpa + 4,
			     8ull * (n - (vq->size - slot)));
	}
}

void
vhp_log_split_used_idx(struct vhp_virtqueue *vq, struct vhp_dirty_log *log)
{
	vhp_log_mark(log, vq->log_ring_gpa + 2, 2);
}

void
vhp_log_packed_buffers(struct vhp_virtqueue *vq, struct vhp_dirty_log *log)
{
	const struct vring_packed_desc *ring = vq->desc_packed;
	uint16_t idx = vq->last_used_idx;
	uint16_t i, k;

	if (vq->flags & VHP_VQ_F_TX)
		return;
	for (i = 0; i < vq->shadow_count; i++) {
		uint32_t len = vq->shadow_used[i].len;
		uint16_t nd = vq->shadow_count_desc[i];

		/* The usual RX buffer: one direct descriptor. */
		if (likely(nd == 1 && !(ring[idx].flags &
					VRING_DESC_F_INDIRECT))) {
			vhp_log_mark(log, ring[idx].addr,
				     RTE_MIN(ring[idx].len, len));
			idx = (uint16_t)(idx + 1 == vq->size ? 0 : idx + 1);
			continue;
		}
		for (k = 0; k < nd && len > 0; k++) {
			uint16_t p = (uint16_t)((idx + k) % vq->size);
			uint64_t addr = __atomic_load_n(&ring[p].addr,
							__ATOMIC_RELAXED);
			uint32_t dlen = __atomic_load_n(&ring[p].len,
							__ATOMIC_RELAXED);
			uint16_t fl = __atomic_load_n(&ring[p].flags,
						      __ATOMIC_RELAXED);

			if (fl & VRING_DESC_F_INDIRECT) {
				const struct vring_packed_desc *t =
					vhp_gpa_to_hva_full(vq->mem, addr,
							    dlen, &vq->mem_hint);

				/* Packed indirect tables have no next
				 * field: consecutive entries. */
				if (t != NULL && dlen % sizeof(*t) == 0) {
					uint32_t j, m = dlen / sizeof(*t);

					for (j = 0; j < m && len > 0; j++) {
						uint32_t l = RTE_MIN(t[j].len,
								     len);

						vhp_log_mark(log, t[j].addr, l);
						len -= l;
					}
				}
				break;
			}
			dlen = RTE_MIN(dlen, len);
			vhp_log_mark(log, addr, dlen);
			len -= dlen;
		}
		idx = (uint16_t)((idx + nd) % vq->size);
	}
}

void
vhp_log_packed_descs(struct vhp_virtqueue *vq, struct vhp_dirty_log *log,
		     uint16_t head, uint16_t ndesc)
{
	const uint64_t d = sizeof(struct vring_packed_desc);

	if (ndesc >= vq->size) {
		vhp_log_mark(log, vq->log_ring_gpa, d * vq->size);
	} else if (head + ndesc <= vq->size) {
		vhp_log_mark(log, vq->log_ring_gpa + d * head, d * ndesc);
	} else {
		vhp_log_mark(log, vq->log_ring_gpa + d * head,
			     d * (vq->size - head));
		vhp_log_mark(log, vq->log_ring_gpa,
			     d * (ndesc - (vq->size - head)));
	}
}

/* ---- control thread ---- */

int
vhp_log_map(int fd, uint64_t size, uint64_t offset, struct vhp_dirty_log **out,
	    const char **why)
{
	struct vhp_dirty_log *log;
	uint64_t page, moff, mlen;
	struct stat st;
	void *p;

	if (size == 0) {
		*why = "log size 0";
		return -EINVAL;
	}
	if (offset > UINT64_MAX - size || offset + size > (uint64_t)INT64_MAX) {
		*why = "log offset + size overflows";
		return -EINVAL;
	}
	if (fstat(fd, &st) != 0) {
		*why = "fstat of the log fd failed";
		return -errno;
	}
	if (st.st_size < 0 || offset + size > (uint64_t)st.st_size) {
		*why = "log offset + size is beyond the end of the log's file";
		return -EINVAL;
	}
	page = (uint64_t)sysconf(_SC_PAGESIZE);
	moff = offset & ~(page - 1);
	mlen = offset + size - moff;
	if (mlen > SIZE_MAX) {
		*why = "log too large to map";
		return -ENOMEM;
	}
	log = calloc(1, sizeof(*log));
	if (log == NULL) {
		*why = "out of memory";
		return -ENOMEM;
	}
	p = mmap(NULL, (size_t)mlen, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)moff);
	if (p == MAP_FAILED) {
		*why = "mmap of the log failed";
		free(log);
		return -errno;
	}
	log->map = p;
	log->map_len = (size_t)mlen;
	log->bits = (uint8_t *)p + (offset - moff);
	log->size = size;
	*out = log;
	return 0;
}

void
vhp_log_unmap(struct vhp_dirty_log *log)
{
	if (log == NULL)
		return;
	munmap(log->map, log->map_len);
	free(log);
}
