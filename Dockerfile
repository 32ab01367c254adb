# syntax=docker/dockerfile:1
# Build: type-check and compile to dist/, with the files the pages serve copied beside the modules
# (scripts/copy-assets.ts); test/docker.image.test.ts carries out this file and starts the result.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json app.ts ./
COPY src ./src
COPY scripts ./scripts
COPY migrations ./migrations
RUN npm run build

# Runtime: production dependencies only (no embedded Postgres binaries: use DATABASE_URL).
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts && npm cache clean --force
# dist holds everything built; node_modules above holds the libraries the pages load (Preact, htm, uPlot, Scalar).
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
# DATA_DIR: the master key and the audit checkpoint file (a volume in docker-compose.yml).
RUN mkdir -p /app/.sandpay && chown node:node /app/.sandpay
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/app.js"]
