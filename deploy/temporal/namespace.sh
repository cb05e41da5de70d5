#!/bin/sh
# One-shot (temporalio/admin-tools), once the server is healthy: the namespace the API and workers
# use, with the retention docker-compose.yml sets. An existing namespace is updated, so the value in
# the compose file is always the one in force.
# TEMPORAL_ADDRESS is read by the `temporal` CLI itself. Seconds after a namespace is created the
# server may still answer "not found" to an update (its namespace cache); the job then fails and its
# restart policy runs it again.
set -eu
: "${TEMPORAL_ADDRESS:?}" "${TEMPORAL_NAMESPACE:?}" "${TEMPORAL_RETENTION:?}"

if temporal operator namespace describe --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; then
  temporal operator namespace update --namespace "$TEMPORAL_NAMESPACE" \
    --retention "$TEMPORAL_RETENTION"
else
  temporal operator namespace create --namespace "$TEMPORAL_NAMESPACE" \
    --retention "$TEMPORAL_RETENTION" --description "Caseguard: onboardings and injury cases"
fi
temporal operator namespace describe --namespace "$TEMPORAL_NAMESPACE"
