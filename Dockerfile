# Routerly on Node. Config and usage live in /data (mount a volume there).

# The dashboard is built with the dev dependencies (Vite), then only its output is kept.
FROM node:20-slim AS dashboard
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.base.json ./
COPY dashboard ./dashboard
RUN npm run build:dashboard

FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the package's prepare script builds the dashboard, done in the stage above.
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts
COPY tsconfig.base.json tsconfig.json ./
COPY src ./src
COPY storage ./storage
COPY adapters/node ./adapters/node
COPY --from=dashboard /build/dashboard/dist ./dashboard/dist
ENV NODE_ENV=production \
    ROUTERLY_HOME=/data \
    ROUTERLY_HOST=0.0.0.0 \
    ROUTERLY_PORT=3000
# The non-root user must own the data folder, or first start cannot create config/secret.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
EXPOSE 3000
USER node
# node runs as PID 1 with no shell in between, so `docker stop`'s SIGTERM reaches the server and drains it.
CMD ["node", "--import", "tsx", "adapters/node/main.ts"]
