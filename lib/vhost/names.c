/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Names of virtio features, vhost-user protocol features and requests, for
 * logs, the CLI and telemetry; feature lookup by name.
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "vhp_internal.h"

static const char *const feature_names[64] = {
	[VIRTIO_NET_F_CSUM] = "CSUM",
	[VIRTIO_NET_F_GUEST_CSUM] = "GUEST_CSUM",
	[2] = "CTRL_GUEST_OFFLOADS",
	[VIRTIO_NET_F_MTU] = "MTU",
	[VIRTIO_NET_F_MAC] = "MAC",
	[VIRTIO_NET_F_GUEST_TSO4] = "GUEST_TSO4",
	[VIRTIO_NET_F_GUEST_TSO6] = "GUEST_TSO6",
	[VIRTIO_NET_F_GUEST_ECN] = "GUEST_ECN",
	[VIRTIO_NET_F_GUEST_UFO] = "GUEST_UFO",
	[VIRTIO_NET_F_HOST_TSO4] = "HOST_TSO4",
	[VIRTIO_NET_F_HOST_TSO6] = "HOST_TSO6",
	[VIRTIO_NET_F_HOST_ECN] = "HOST_ECN",
	[VIRTIO_NET_F_HOST_UFO] = "HOST_UFO",
	[VIRTIO_NET_F_MRG_RXBUF] = "MRG_RXBUF",
	[VIRTIO_NET_F_STATUS] = "STATUS",
	[VIRTIO_NET_F_CTRL_VQ] = "CTRL_VQ",
	[18] = "CTRL_RX",
	[19] = "CTRL_VLAN",
	[21] = "GUEST_ANNOUNCE",
	[VIRTIO_NET_F_MQ] = "MQ",
	[23] = "CTRL_MAC_ADDR",
	[VIRTIO_F_NOTIFY_ON_EMPTY] = "NOTIFY_ON_EMPTY",
	[VIRTIO_F_LOG_ALL] = "LOG_ALL",
	[VIRTIO_F_ANY_LAYOUT] = "ANY_LAYOUT",
	[VIRTIO_F_INDIRECT_DESC] = "INDIRECT_DESC",
	[VIRTIO_F_EVENT_IDX] = "EVENT_IDX",
	[VHOST_USER_F_PROTOCOL_FEATURES] = "PROTOCOL_FEATURES",
	[VIRTIO_F_VERSION_1] = "VERSION_1",
	[VIRTIO_F_ACCESS_PLATFORM] = "ACCESS_PLATFORM",
	[VIRTIO_F_RING_PACKED] = "RING_PACKED",
	[VIRTIO_F_IN_ORDER] = "IN_ORDER",
	[36] = "ORDER_PLATFORM",
	[37] = "SR_IOV",
	[VIRTIO_F_NOTIFICATION_DATA] = "NOTIFICATION_DATA",
	[41] = "GUEST_USO4",
	[42] = "GUEST_USO6",
	[43] = "HOST_USO",
	[57] = "GUEST_HDRLEN",
	[61] = "RSC_EXT",
	[62] = "STANDBY",
	[63] = "SPEED_DUPLEX",
};

static const char *const protocol_feature_names[] = {
	[VHOST_USER_PROTOCOL_F_MQ] = "MQ",
	[VHOST_USER_PROTOCOL_F_LOG_SHMFD] = "LOG_SHMFD",
	[VHOST_USER_PROTOCOL_F_RARP] = "RARP",
	[VHOST_USER_PROTOCOL_F_REPLY_ACK] = "REPLY_ACK",
	[VHOST_USER_PROTOCOL_F_NET_MTU] = "NET_MTU",
	[VHOST_USER_PROTOCOL_F_BACKEND_REQ] = "BACKEND_REQ",
	[VHOST_USER_PROTOCOL_F_CROSS_ENDIAN] = "CROSS_ENDIAN",
	[VHOST_USER_PROTOCOL_F_CRYPTO_SESSION] = "CRYPTO_SESSION",
	[VHOST_USER_PROTOCOL_F_PAGEFAULT] = "PAGEFAULT",
	[VHOST_USER_PROTOCOL_F_CONFIG] = "CONFIG",
	[VHOST_USER_PROTOCOL_F_BACKEND_SEND_FD] = "BACKEND_SEND_FD",
	[VHOST_USER_PROTOCOL_F_HOST_NOTIFIER] = "HOST_NOTIFIER",
	[VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD] = "INFLIGHT_SHMFD",
	[VHOST_USER_PROTOCOL_F_RESET_DEVICE] = "RESET_DEVICE",
	[VHOST_USER_PROTOCOL_F_INBAND_NOTIFICATIONS] = "INBAND_NOTIFICATIONS",
	[VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS] = "CONFIGURE_MEM_SLOTS",
	[VHOST_USER_PROTOCOL_F_STATUS] = "STATUS",
};

static const char *const request_names[VHOST_USER_MAX] = {
	[VHOST_USER_NONE] = "NONE",
	[VHOST_USER_GET_FEATURES] = "GET_FEATURES",
	[VHOST_USER_SET_FEATURES] = "SET_FEATURES",
	[VHOST_USER_SET_OWNER] = "SET_OWNER",
	[VHOST_USER_RESET_OWNER] = "RESET_OWNER",
	[VHOST_USER_SET_MEM_TABLE] = "SET_MEM_TABLE",
	[VHOST_USER_SET_LOG_BASE] = "SET_LOG_BASE",
	[VHOST_USER_SET_LOG_FD] = "SET_LOG_FD",
	[VHOST_USER_SET_VRING_NUM] = "SET_VRING_NUM",
	[VHOST_USER_SET_VRING_ADDR] = "SET_VRING_ADDR",
	[VHOST_USER_SET_VRING_BASE] = "SET_VRING_BASE",
	[VHOST_USER_GET_VRING_BASE] = "GET_VRING_BASE",
	[VHOST_USER_SET_VRING_KICK] = "SET_VRING_KICK",
	[VHOST_USER_SET_VRING_CALL] = "SET_VRING_CALL",
	[VHOST_USER_SET_VRING_ERR] = "SET_VRING_ERR",
	[VHOST_USER_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
	[VHOST_USER_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
	[VHOST_USER_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
	[VHOST_USER_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
	[VHOST_USER_SEND_RARP] = "SEND_RARP",
	[VHOST_USER_NET_SET_MTU] = "NET_SET_MTU",
	[VHOST_USER_SET_BACKEND_REQ_FD] = "SET_BACKEND_REQ_FD",
	[VHOST_USER_IOTLB_MSG] = "IOTLB_MSG",
	[VHOST_USER_SET_VRING_ENDIAN] = "SET_VRING_ENDIAN",
	[VHOST_USER_GET_CONFIG] = "GET_CONFIG",
	[VHOST_USER_SET_CONFIG] = "SET_CONFIG",
	[VHOST_USER_CREATE_CRYPTO_SESSION] = "CREATE_CRYPTO_SESSION",
	[VHOST_USER_CLOSE_CRYPTO_SESSION] = "CLOSE_CRYPTO_SESSION",
	[VHOST_USER_POSTCOPY_ADVISE] = "POSTCOPY_ADVISE",
	[VHOST_USER_POSTCOPY_LISTEN] = "POSTCOPY_LISTEN",
	[VHOST_USER_POSTCOPY_END] = "POSTCOPY_END",
	[VHOST_USER_GET_INFLIGHT_FD] = "GET_INFLIGHT_FD",
	[VHOST_USER_SET_INFLIGHT_FD] = "SET_INFLIGHT_FD",
	[VHOST_USER_GPU_SET_SOCKET] = "GPU_SET_SOCKET",
	[VHOST_USER_RESET_DEVICE] = "RESET_DEVICE",
	[VHOST_USER_VRING_KICK] = "VRING_KICK",
	[VHOST_USER_GET_MAX_MEM_SLOTS] = "GET_MAX_MEM_SLOTS",
	[VHOST_USER_ADD_MEM_REG] = "ADD_MEM_REG",
	[VHOST_USER_REM_MEM_REG] = "REM_MEM_REG",
	[VHOST_USER_SET_STATUS] = "SET_STATUS",
	[VHOST_USER_GET_STATUS] = "GET_STATUS",
};

const char *
vhp_feature_name(unsigned int bit)
{
	return bit < RTE_DIM(feature_names) ? feature_names[bit] : NULL;
}

const char *
vhp_protocol_feature_name(unsigned int bit)
{
	return bit < RTE_DIM(protocol_feature_names) ?
		protocol_feature_names[bit] : NULL;
}

const char *
vhp_request_name(uint32_t request)
{
	if (request < RTE_DIM(request_names) && request_names[request] != NULL)
		return request_names[request];
	return "UNKNOWN";
}

int
vhp_feature_from_name(const char *name)
{
	static const char *const prefixes[] = {
		"VIRTIO_NET_F_", "VIRTIO_F_", "VHOST_USER_F_", "VHOST_F_",
	};
	unsigned int i, bit;
	size_t n;

	if (name == NULL)
		return -1;
	for (i = 0; i < RTE_DIM(prefixes); i++) {
		n = strlen(prefixes[i]);
		if (strncasecmp(name, prefixes[i], n) == 0) {
			name += n;
			break;
		}
	}
	if (*name == '\0')
		return -1;
	for (bit = 0; bit < RTE_DIM(feature_names); bit++)
		if (feature_names[bit] != NULL &&
		    strcasecmp(name, feature_names[bit]) == 0)
			return (int)bit;
	/* Common aliases. */
	if (strcasecmp(name, "PACKED") == 0)
		return VIRTIO_F_RING_PACKED;
	if (strcasecmp(name, "INDIRECT") == 0)
		return VIRTIO_F_INDIRECT_DESC;
	if (strcasecmp(name, "MRG") == 0)
		return VIRTIO_NET_F_MRG_RXBUF;
	return -1;
}

uint64_t
vhp_features_off_closure(uint64_t off, uint64_t offered)
{
	static const struct {
		unsigned int csum;
		unsigned int tso4, tso6, ecn, ufo;
	} dir[2] = {
		{ VIRTIO_NET_F_CSUM, VIRTIO_NET_F_HOST_TSO4,
		  VIRTIO_NET_F_HOST_TSO6, VIRTIO_NET_F_HOST_ECN,
		  VIRTIO_NET_F_HOST_UFO },
		{ VIRTIO_NET_F_GUEST_CSUM, VIRTIO_NET_F_GUEST_TSO4,
		  VIRTIO_NET_F_GUEST_TSO6, VIRTIO_NET_F_GUEST_ECN,
		  VIRTIO_NET_F_GUEST_UFO },
	};
	uint64_t left;
	unsigned int i;

	for (i = 0; i < RTE_DIM(dir); i++) {
		if (off & VHP_BIT(dir[i].csum))
			off |= offered & (VHP_BIT(dir[i].tso4) |
					  VHP_BIT(dir[i].tso6) |
					  VHP_BIT(dir[i].ecn) |
					  VHP_BIT(dir[i].ufo));
		left = offered & ~off;
		if (!(left & (VHP_BIT(dir[i].tso4) | VHP_BIT(dir[i].tso6))))
			off |= offered & VHP_BIT(dir[i].ecn);
	}
	return off;
}
