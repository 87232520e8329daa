# One image for every primaries process (gateway, vote, results, worker, migrate):
# the workspace with its dependencies, run from TypeScript sources with tsx (no build step).
# docker-compose.yml picks the process with `command:`.
FROM node:20-slim

# pnpm 10 from npm (not corepack: its signature keys have broken builds before).
RUN npm install --global pnpm@10 && pnpm --version

WORKDIR /app

# Dependencies first, from the lockfile alone, so this layer survives source edits
# (pnpm's documented Docker recipe: `pnpm fetch`, then an offline install).
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN pnpm fetch

COPY . .
# Dev dependencies are needed too: tsx runs the sources.
RUN pnpm install --offline --frozen-lockfile \
  && mkdir -p /app/.data && chown node:node /app/.data

ENV NODE_ENV=production
# A 64 MB young generation halves the gateway's time in GC under load (docs/bench/perf.md).
ENV NODE_OPTIONS=--max-semi-space-size=64
# The node image's unprivileged user; the sources stay root-owned and read-only to it.
USER node

EXPOSE 8080 3001 3002 3003
CMD ["node", "--import", "tsx", "services/gateway/src/server.ts"]
