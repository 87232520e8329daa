#!/bin/sh
# Starts the sentinel of pod redis-<n>. Its file lives on the pod's volume: the sentinel
# rewrites it as it learns the topology (the current master after a failover), so a
# restarted pod, or a whole set restarted at once, remembers who the master is.
set -eu
self="${POD_NAME}.${HEADLESS_SERVICE}"
conf=/data/sentinel.conf
if [ ! -s "$conf" ]; then
  # First start: the master the other sentinels name, or pod 0.
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
  cat > "$conf" <<CONF
port 26379
dir /data
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip ${self}
sentinel monitor ${MASTER_NAME} ${master} 6379 ${QUORUM}
sentinel down-after-milliseconds ${MASTER_NAME} 5000
sentinel failover-timeout ${MASTER_NAME} 60000
sentinel parallel-syncs ${MASTER_NAME} 1
CONF
fi
# The password may have changed since the file was written: set it again on every start.
sed -i '/^requirepass /d; /^sentinel sentinel-pass /d; /^sentinel auth-pass /d' "$conf"
{
  echo "requirepass \"${REDISCLI_AUTH}\""
  echo "sentinel sentinel-pass \"${REDISCLI_AUTH}\""
  echo "sentinel auth-pass ${MASTER_NAME} \"${REDISCLI_AUTH}\""
} >> "$conf"
exec redis-server "$conf" --sentinel
