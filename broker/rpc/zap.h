/* The ZAP handler: admits a CurveZMQ client only if its public key is in
 * the registry and not revoked, and hands the ROUTER the identity as
 * User-Id "bank/role/<Z85 public key>".
 * It is a REP socket on inproc://zeromq.zap.01, polled by the broker's
 * loop, and must be created before the ROUTER binds. */
#ifndef SYND_RPC_ZAP_H
#define SYND_RPC_ZAP_H

#include "registry.h"
#include "synd/status.h"

typedef struct rpc_zap rpc_zap;

/* Binds the ZAP endpoint in zctx. reg is borrowed and must outlive the
 * handler; a registry_reload() of it applies to the next handshake.
 * Returns NULL with the reason in st. */
rpc_zap *rpc_zap_new(void *zctx, const registry *reg, synd_status *st);

void rpc_zap_free(rpc_zap *z);

/* The REP socket, for the poll loop. */
void *rpc_zap_socket(rpc_zap *z);

/* Answers every waiting ZAP request. */
void rpc_zap_on_readable(rpc_zap *z);

#endif
