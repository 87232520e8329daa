#!/bin/sh
# Starts redis-server in pod redis-<n> as a replica of the current master: the one the
# other sentinels name, else the one this pod's sentinel last knew (its file on the shared
# volume, kept across restarts), else pod 0 (the very first start, where pod 0 is master).
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
if [ -z "$master" ] && [ -s /data/sentinel.conf ]; then
  master=$(sed -n "s/^sentinel monitor ${MASTER_NAME} \([^ ]*\) .*/\1/p" /data/sentinel.conf | head -n 1)
fi
if [ -z "$master" ] && [ "${POD_NAME##*-}" != "0" ]; then master="redis-0.${HEADLESS_SERVICE}"; fi

conf=/run/redis/redis.conf
{
  echo "include /etc/redis/redis.conf"
  echo "requirepass \"${REDISCLI_AUTH}\""
  echo "masterauth \"${REDISCLI_AUTH}\""
  echo "replica-announce-ip ${self}"
  echo "maxmemory ${REDIS_MAXMEMORY}"
  if [ -n "$master" ] && [ "$master" != "$self" ]; then echo "replicaof ${master} 6379"; fi
  # A lone pod (the dev overlay) has no replica to wait for.
  if [ "$REPLICAS" -lt 2 ]; then echo "min-replicas-to-write 0"; fi
} > "$conf"
exec redis-server "$conf"
