# syntax=docker/dockerfile:1
# patternmesh daemon image. Build: docker build -t patternmesh .
# Run:   docker run -v pm-data:/data -p 4001:4001 -p 4002:4002 patternmesh start --key-file /data/mesh.key

# Node 24 LTS: the newest major CI tests (.ci/run tests 22 and 24, package.json engines >=22).
# Both stages use the same image, so dependencies are installed by the Node that runs them.

# --- build: compile TypeScript to dist/ ------------------------------------------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied; the build runs below.
# (No dependency needs an install script.)
RUN npm ci --ignore-scripts
COPY . .
# configs/ and simulations/ may still be empty (untracked): make sure both exist to copy.
RUN npm run build && mkdir -p configs simulations

# --- runtime: production dependencies, dist/, bin/, configs ----------------------------------
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/bin ./bin
COPY --from=build /app/configs ./configs
COPY --from=build /app/simulations ./simulations

# Unprivileged user; the data dir (identity, peer store, roles, advice, API token) is a volume.
# Its ownership is set before VOLUME: later changes to a volume path are discarded.
RUN groupadd --system --gid 10001 patternmesh \
  && useradd --system --uid 10001 --gid patternmesh --home-dir /data --no-create-home \
    --shell /usr/sbin/nologin patternmesh \
  && mkdir -p /data \
  && chown patternmesh:patternmesh /data \
  && chmod 0700 /data
ENV PATTERNMESH_DATA_DIR=/data
VOLUME /data

# 4001 libp2p TCP, 4002 libp2p WebSocket, 7070 control API. The API listens on 127.0.0.1 by
# default: publish 7070 only with `--api 0.0.0.0:7070` and an API token.
EXPOSE 4001 4002 7070

USER patternmesh

# Liveness from the control API's `GET /health` (the slim image has no curl). It assumes the
# API on port 7070 (the default, or 0.0.0.0:7070 as in docker-compose.yml).
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:7070/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# The daemon handles SIGTERM/SIGINT itself (it runs as PID 1: no default signal handlers).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/patternmesh.js"]
CMD ["start"]
