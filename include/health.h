#ifndef LL_HEALTH_H
#define LL_HEALTH_H

#include "http.h"

/* What a load balancer and a monitoring system ask: GET /healthz and
 * GET /metrics. */

/* GET /healthz: 200 {"status":"ok"} when the database answers a trivial
 * statement, else 503 {"status":"db_unavailable"}. While the worker's
 * connection is down and its reconnect backoff runs, answers 503 at once
 * without trying. Cannot fail. */
void health_healthz(struct http *h);

/* GET /metrics: the Prometheus text exposition (fcgi/metrics.c) to an
 * address in the configuration's metrics_allow; 403 to any other.
 * Cannot fail. */
void health_metrics(struct http *h);

#endif
