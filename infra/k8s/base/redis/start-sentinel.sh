#!/bin/sh
# Starts the sentinel of pod redis-<n>, monitoring the master the other sentinels name,
# or pod 0 on the first start. Sentinels and clients find each other by hostname.
set -eu
self="${POD_NAME}.${HEADLESS_SERVICE}"
master=""
i=0
while [ "$i" -lt "$REPLICAS" ]; do
  host="redis-$i.${HEADLESS_SERVICE}"
  if [ "$host" != "$self" ]; then
    master=$(redis-cli -h "$host" -p 26379 --no-auth-warning sentinel get-master-addr-by-name "$MASTER_NAME" 2>/dev/null | head -n 1 || true)
    [ -n "$master" ] && break
  fi
  i=$((i + 1))
done
[ -n "$master" ] || master="redis-0.${HEADLESS_SERVICE}"

# The sentinel rewrites its file as it learns the topology: it lives in an emptyDir.
conf=/run/sentinel/sentinel.conf
cat > "$conf" <<CONF
port 26379
dir /run/sentinel
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip ${self}
requirepass "${REDISCLI_AUTH}"
sentinel sentinel-pass "${REDISCLI_AUTH}"
sentinel monitor ${MASTER_NAME} ${master} 6379 ${QUORUM}
sentinel auth-pass ${MASTER_NAME} "${REDISCLI_AUTH}"
sentinel down-after-milliseconds ${MASTER_NAME} 5000
sentinel failover-timeout ${MASTER_NAME} 60000
sentinel parallel-syncs ${MASTER_NAME} 1
CONF
exec redis-server "$conf" --sentinel
