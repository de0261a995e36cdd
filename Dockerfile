# Routerly on Node. Config, secret and usage live in /data: mount a volume there.
#
#   docker build -t routerly .
#   docker run -d --name routerly -p 3000:3000 -v routerly-data:/data --stop-timeout 35 routerly
#
# Stop timeout: on SIGTERM the server lets requests in flight (streams included) finish for
# ROUTERLY_SHUTDOWN_GRACE_MS (30000 by default), then writes out pending usage. Docker kills the
# container 10 s after SIGTERM unless told otherwise, so give it more than the grace:
# `docker run --stop-timeout 35`, `docker stop -t 35`, or `stop_grace_period: 35s` in compose
# (docs/compose.yaml). Lower ROUTERLY_SHUTDOWN_GRACE_MS instead if you need a faster stop.
#
# test/docker/ lints this file and rebuilds the runtime stage's layout in a folder: keep the
# runtime stage's npm ci in a RUN of its own, and CMD and HEALTHCHECK in exec form.

# The Node release the tests run on (engines: >=20.19), on a fixed Debian release, so a rebuild
# next month gets the same runtime. Both stages use it: the build's output is the runtime's input.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# Build: every dependency, then the dashboard (Vite) and the package (tsc into dist/).
FROM ${NODE_IMAGE} AS build
WORKDIR /build
# The lock file alone decides the install, so this layer is reused until it changes.
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would run the whole build here, before the sources are copied, and
# the build below runs it once. (No dependency the build uses needs an install script.)
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.base.json tsconfig.build.json ./
COPY dashboard ./dashboard
COPY src ./src
COPY storage ./storage
COPY adapters ./adapters
COPY cli ./cli
RUN npm run build

# Runtime: production dependencies and the build's JavaScript only (no sources, no tsx, no Vite).
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# The npm cache is a build cache mount, so no downloaded tarball stays in the image.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund --ignore-scripts
COPY --from=build /build/dist ./dist
COPY --from=build /build/dashboard/dist ./dashboard/dist
COPY LICENSE README.md ./
# The app stays root-owned (the server cannot rewrite its own code); only /data is the node
# user's, or the first start could not create config/ and the secret there.
RUN mkdir -p /data && chown node:node /data
ENV ROUTERLY_HOME=/data \
    ROUTERLY_HOST=0.0.0.0 \
    ROUTERLY_PORT=3000
VOLUME /data
EXPOSE 3000
USER node
# No curl in the slim image: node's own fetch, bounded below Docker's --timeout. It honours a
# ROUTERLY_PORT given at `docker run -e`; /health answers 200 only once the server is ready.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.ROUTERLY_PORT || '3000') + '/health', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]
# SIGTERM starts the drain (see the stop timeout above).
STOPSIGNAL SIGTERM
# Exec form: node is PID 1 with no shell or npm in between, so it receives the stop signal itself.
CMD ["node", "dist/cli/main.js", "start"]
