/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A guest-side packed-ring virtio driver model for unit tests and fuzzing.
 *
 * The ring lives in guest_mem; the model writes it through the guest's
 * mapping exactly as a virtio driver would (descriptors, wrap counters,
 * head flags last with a release store), and builds the back-end's
 * struct vhp_virtqueue on the back-end's own mapping.
 */
#ifndef VHP_GUEST_PACKED_H
#define VHP_GUEST_PACKED_H

#include <stdbool.h>
#include <stdint.h>

#include "guest_mem.h"
#include "virtqueue.h"

/** One guest buffer piece: guest-physical address and length. */
struct gp_seg {
	uint64_t gpa;
	uint32_t len;
};

/** gp_post() mode bits. */
#define GP_WRITE	(1u << 0)	/**< device-writable (RX) buffer */
#define GP_INDIRECT	(1u << 1)	/**< one INDIRECT desc + table */

/** A used descriptor harvested by gp_get_used(). */
struct gp_used {
	uint16_t id;		/**< buffer id the device wrote */
	uint32_t len;		/**< length the device wrote */
	uint16_t flags;		/**< flags the device wrote */
	uint16_t slot;		/**< ring slot it was found at */
	uint16_t nbufs;		/**< posted buffers it completed */
	uint16_t ndesc;		/**< ring slots it released */
	bool id_match;		/**< id is the oldest posted one */
};

/** One posted buffer, in posting order. */
struct gp_posted {
	uint16_t id;
	uint16_t ndesc;
	bool own_id;		/**< id taken from the free list */
};

/** The guest driver's view of one packed virtqueue. */
struct guest_packed {
	struct guest_mem *gm;
	uint16_t size;
	uint64_t desc_gpa;		/**< ring */
	uint64_t driver_event_gpa;	/**< driver event suppression */
	uint64_t device_event_gpa;	/**< device event suppression */
	struct vring_packed_desc *desc;	/**< guest mapping of the ring */
	struct vring_packed_desc_event *driver_event;
	struct vring_packed_desc_event *device_event;
	uint16_t next_avail;		/**< next slot to fill */
	uint8_t avail_wrap;		/**< driver's avail wrap counter */
	uint16_t next_used;		/**< next slot to look for used */
	uint8_t used_wrap;		/**< driver's used wrap counter */
	uint16_t num_free;		/**< free ring slots */
	uint16_t *free_ids;		/**< stack of free buffer ids */
	uint16_t nfree_ids;
	struct gp_posted *posted;	/**< FIFO of posted buffers */
	uint16_t posted_head, posted_count;
	uint64_t *id_buf;		/**< per-id data buffer gpa */
	uint32_t buf_size;		/**< bytes of each per-id buffer */
	uint64_t *id_table;		/**< per-id indirect table gpa */
	struct vhp_virtqueue *vq;	/**< the back-end's queue */
};

/**
 * Allocate a packed ring of @p size slots in @p gm with a per-id data buffer
 * of @p buf_size bytes and an indirect table of @p size entries per id,
 * and build the back-end queue (ready, VHP_VQ_F_PACKED | @p vq_flags,
 * @p hdr_len, an eventfd as callfd, both wrap counters 1).
 * @return 0 or -1.
 */
int gp_init(struct guest_packed *gp, struct guest_mem *gm, uint16_t size,
	    uint32_t buf_size, uint16_t vq_flags, uint8_t hdr_len);

/** Free the back-end queue and the model's arrays (guest memory stays). */
void gp_free(struct guest_packed *gp);

/**
 * Replace the back-end queue by a new one continuing at the given position
 * (ring stop / GET_VRING_BASE then SET_VRING_BASE / restart).
 * @return 0 or -1.
 */
int gp_rebuild_vq(struct guest_packed *gp, uint16_t last_avail_idx,
		  uint8_t avail_wrap, uint16_t last_used_idx,
		  uint8_t used_wrap);

/**
 * Post one buffer made of @p n pieces: a chain of @p n descriptors, or with
 * GP_INDIRECT one descriptor pointing to a table of @p n entries. The head
 * flags are written last (release).
 * @param id Buffer id; with @p own_id false it is taken from the free list
 *   and returned here.
 * @return 0, or -1 when the ring has no room or no free id.
 */
int gp_post(struct guest_packed *gp, const struct gp_seg *segs, unsigned int n,
	    unsigned int mode, uint16_t *id, bool own_id);

/**
 * Post raw descriptors as one buffer of @p n slots: addr/len/id/flags are
 * taken as given (NEXT, WRITE, INDIRECT included), only AVAIL/USED are set
 * from the wrap counter. For bad-input tests.
 * @return 0, or -1 when the ring has no room.
 */
int gp_post_raw(struct guest_packed *gp, const struct vring_packed_desc *d,
		unsigned int n);

/** Post an RX buffer: the per-id buffer, @p len bytes (0: buf_size). */
int gp_post_rx(struct guest_packed *gp, uint32_t len, uint16_t *id);

/**
 * Post a TX packet: a zeroed header then @p data, in the per-id buffer,
 * as @p nseg pieces (1: single descriptor) in a chain, or indirect.
 */
int gp_post_tx(struct guest_packed *gp, const void *data, uint32_t len,
	       unsigned int nseg, bool indirect, uint16_t *id);

/**
 * Harvest one used descriptor at the driver's used position. With IN_ORDER
 * semantics, an id completes every buffer posted up to it.
 * @return 1 got one, 0 none, -1 the id matches nothing posted.
 */
int gp_get_used(struct guest_packed *gp, struct gp_used *u);

/** Set the driver event suppression structure. */
void gp_set_driver_event(struct guest_packed *gp, uint16_t flags,
			 uint16_t off, uint8_t wrap);

/** Read (and reset) the callfd eventfd counter; 0 when nothing. */
uint64_t gp_irq_count(struct guest_packed *gp);

/** Guest pointer of the per-id buffer of @p id. */
uint8_t *gp_buf(struct guest_packed *gp, uint16_t id);

/** Fill @p len bytes with a pattern derived from @p seed. */
void gp_pattern(uint8_t *p, uint32_t len, uint32_t seed);

#endif /* VHP_GUEST_PACKED_H */
