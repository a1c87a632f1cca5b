/* Names the metrics' routes and the statuses each can answer, from the
 * route table and the OpenAPI document (the contract lists every status of
 * every route, and the HTTP suite holds the server to it). */
#ifndef API_METRICS_LABELS_H
#define API_METRICS_LABELS_H

/* Registers every route of routes.c, and its documented statuses, with
 * core/metrics; call once before serving. */
void metrics_labels_register(void);
#endif
