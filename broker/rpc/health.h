/* synd.v1.Health: Check and Watch, after grpc.health.v1. The broker is
 * SERVING exactly while its Redis connection is up. */
#ifndef SYND_RPC_HEALTH_H
#define SYND_RPC_HEALTH_H

#include <protobuf-c/protobuf-c.h>

#include "rpc/server.h"

typedef struct rpc_health rpc_health;

/* Creates the service. srv is borrowed, to tell known service names. */
rpc_health *rpc_health_new(const rpc_server *srv);

/* Frees the service. Close the server first: it ends open Watch calls. */
void rpc_health_free(rpc_health *h);

/* The service to register with rpc_server_add_service(). */
ProtobufCService *rpc_health_service(rpc_health *h);

/* Sets the status and sends it to every Watch stream if it changed. */
void rpc_health_set_serving(rpc_health *h, int serving);

#endif
