# syntax=docker/dockerfile:1
# segment-access-audit: build on the LTS image, run as a non-root user.
# The code keeps supporting Node 20, but Node 20 is past its end of life: ship 22.

FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:22-slim AS runtime
ENV NODE_ENV=production \
    REPORTS_DIR=/app/reports \
    DATA_DIR=/app/data \
    PORT=8080 \
    BIND_ADDRESS=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
RUN mkdir -p /app/reports /app/data && chown -R node:node /app/reports /app/data
USER node
VOLUME ["/app/reports", "/app/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--expose-gc", "dist/cli.js", "schedule"]
