# syntax=docker/dockerfile:1
# clima: one image for every service. The command picks it:
#   docker run clima dashboard | sensor | backup | migrate | start
# Configuration is environment only (README, "Configuration"); no secret is baked in.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: compile TypeScript, then keep production dependencies only ----
FROM ${NODE_IMAGE} AS build
# better-sqlite3 is a native addon: a prebuilt binary when one matches, else compiled here.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the "prepare" script would compile before the sources are here.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/bundle.mjs ./scripts/bundle.mjs
RUN npm run build && npm prune --omit=dev --ignore-scripts

# ---- runtime: node, tini, the compiled code and its production dependencies ----
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
  DATA_DIR=/data \
  BACKUP_DIR=/backups
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY public ./public
COPY deploy/image/healthcheck.mjs ./deploy/image/healthcheck.mjs
# State only on volumes: the sensor's local state under /data, snapshots under /backups.
RUN mkdir -p /data /backups && chown node:node /data /backups
USER node
EXPOSE 5000
# tini as PID 1: signals reach node (graceful shutdown on `docker stop`) and zombies are reaped.
# clima.js is run as the executable it is: its first line starts node with the heap sized for it.
ENTRYPOINT ["/usr/bin/tini", "--", "/app/dist/bundle/clima.js"]
CMD ["start"]
# The dashboard's /healthz for `dashboard` and `start`; for the other services, their database.
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
  CMD ["node", "/app/deploy/image/healthcheck.mjs"]
