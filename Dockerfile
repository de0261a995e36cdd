# Routerly on Node. Config and usage live in /data (mount a volume there).
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY src ./src
COPY storage ./storage
COPY adapters/node ./adapters/node
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
