/* synd.v1.Reflection: the services and methods served, the caller's own
 * identity, and the broker's RPC counters. */
#ifndef SYND_RPC_REFLECTION_H
#define SYND_RPC_REFLECTION_H

#include <protobuf-c/protobuf-c.h>

#include "rpc/server.h"

typedef struct rpc_reflection rpc_reflection;

/* Creates the service. srv is borrowed and must outlive it. */
rpc_reflection *rpc_reflection_new(const rpc_server *srv);

void rpc_reflection_free(rpc_reflection *r);

/* The service to register with rpc_server_add_service(). */
ProtobufCService *rpc_reflection_service(rpc_reflection *r);

#endif
