/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Guest-side model of a split-ring virtio-net driver for unit tests and
 * fuzzing: rings and buffers live in a struct guest_mem, and the back-end's
 * struct vhp_virtqueue is built over the back-end's own mapping of it.
 */
#ifndef VHP_GUEST_SPLIT_H
#define VHP_GUEST_SPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest_mem.h"
#include "virtqueue.h"

/** One guest buffer segment: @p len bytes at guest-physical @p gpa. */
struct gs_seg {
	uint64_t gpa;
	uint32_t len;
};

/** A split ring as the guest driver sees it, and the back-end's vq. */
struct guest_split {
	struct guest_mem *gm;
	uint16_t size;
	uint64_t desc_gpa;		/**< descriptor table */
	uint64_t avail_gpa;		/**< available ring */
	uint64_t used_gpa;		/**< used ring */
	struct vring_desc *desc;	/**< guest view */
	struct vring_avail *avail;	/**< guest view */
	struct vring_used *used;	/**< guest view */
	uint16_t avail_idx;		/**< next avail index (not yet published) */
	uint16_t last_used;		/**< next used entry to harvest */
	uint16_t *free_fifo;		/**< free descriptor indexes (FIFO) */
	uint32_t free_head;
	uint32_t free_tail;
	uint16_t *priv_next;		/**< driver's copy of chain links */
	uint16_t *chain_n;		/**< descriptors per posted head */
	struct gs_seg **priv_segs;	/**< buffer segments per posted head */
	uint16_t *priv_nseg;
	int callfd;			/**< eventfd given to the back-end */
	struct vhp_virtqueue *vq;	/**< back-end view */
};

/**
 * Set up a ring of @p size entries in @p gm and the back-end vq with
 * @p vq_flags (VHP_VQ_F_*) and header length @p hdr_len. Every index
 * (avail, used, back-end last_avail/last_used) starts at @p base.
 * @return 0 or -1.
 */
int guest_split_init(struct guest_split *g, struct guest_mem *gm,
		     uint16_t size, uint16_t vq_flags, uint8_t hdr_len,
		     uint16_t base);

/** Free the model (guest memory itself is the caller's). */
void guest_split_fini(struct guest_split *g);

/**
 * Post one buffer made of @p nseg segments (gpa 0: allocated here), all
 * device-writable when @p write, as a chain or, when @p indirect, through an
 * indirect table. The avail entry is written; guest_split_publish() makes it
 * visible. @return the head descriptor index, or -1 (no descriptors).
 */
int guest_split_add(struct guest_split *g, const struct gs_seg *segs,
		    unsigned int nseg, bool write, bool indirect);

/** Put a raw head value in the next avail slot (for bad-input tests). */
void guest_split_add_raw(struct guest_split *g, uint16_t head);

/** Publish the avail entries added so far (release store of avail->idx). */
void guest_split_publish(struct guest_split *g);

/**
 * Post an RX buffer of @p nseg segments of the given lengths (published).
 * @return head or -1.
 */
int guest_split_post_rx(struct guest_split *g, const uint32_t *lens,
			unsigned int nseg, bool indirect);

/**
 * Post a TX packet: a zeroed virtio_net_hdr of the ring's header length then
 * @p len bytes of @p data, cut into @p nseg segments of @p seg_lens (their
 * sum must be hdr_len + len); @p seg_lens NULL: one descriptor. Published.
 * @return head or -1.
 */
int guest_split_post_tx(struct guest_split *g, const void *data, uint32_t len,
			const uint32_t *seg_lens, unsigned int nseg,
			bool indirect);

/** Used entries published by the back-end and not yet harvested. */
uint16_t guest_split_used_pending(const struct guest_split *g);

/**
 * Harvest one used entry: @p id and @p len, and (when @p out is not NULL)
 * copy min(len, cap) bytes of the buffer to @p out. The buffer's descriptors
 * return to the free list. @return bytes copied, -1 when none is pending.
 */
int guest_split_get_used(struct guest_split *g, uint32_t *id, uint32_t *len,
			 void *out, size_t cap);

/**
 * Receive one packet from the RX ring: harvest num_buffers used entries
 * (1 without MRG_RXBUF), copy the header to @p hdr and the data to @p out.
 * @return data length (without header), -1 none pending or malformed.
 */
int guest_split_rx_packet(struct guest_split *g, struct virtio_net_hdr *hdr,
			  uint16_t *num_buffers, void *out, size_t cap);

/** Set used_event (EVENT_IDX). */
void guest_split_set_used_event(struct guest_split *g, uint16_t ev);

/** Set or clear VRING_AVAIL_F_NO_INTERRUPT. */
void guest_split_set_no_interrupt(struct guest_split *g, bool on);

/** Read and clear the callfd counter: interrupts since the last call. */
uint64_t guest_split_irqs(struct guest_split *g);

#endif /* VHP_GUEST_SPLIT_H */
