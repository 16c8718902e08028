# syntax=docker/dockerfile:1
# Build stage: installs production dependencies, compiling argon2's native addon.
FROM node:24-bookworm-slim AS dependencies
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# Runtime stage: no compilers, runs as the unprivileged `node` user. Node runs the TypeScript sources directly.
# MALLOC_ARENA_MAX: glibc keeps an argon2 hash's memory (passwords.argon2.memory_cost, 19 MiB) in the malloc arena of
# the thread that ran it, for the next one, and gives each thread an arena of its own: with the four libuv threads taking
# turns at hashing, ~77 MiB stays held per process. Two arenas hold at most two such blocks (README, "Scaling out").
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    HOST=0.0.0.0 \
    PORT=3000 \
    LATCHKEY_CONFIG_DIR=/app/config \
    LATCHKEY_DATA_DIR=/app/data
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY migrations ./migrations
COPY views ./views
COPY locales ./locales
COPY public ./public
COPY config ./config
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node directly, not npm: npm does not pass signals on; the server drains on SIGTERM and reloads clients.yaml on SIGHUP.
# --max-semi-space-size=16: V8 sizes its young generation from the memory it sees (128 MiB of it on a 24 GiB host); this
# keeps ~80 MiB less per process for the same CPU (README, "Performance"), as `npm start` and the cluster workers do.
# Logs are JSON lines on stderr. /metrics needs METRICS_TOKEN (on 3000) or METRICS_PORT (publish that port yourself).
CMD ["node", "--max-semi-space-size=16", "src/main.ts"]
