# syntax=docker/dockerfile:1
# One image for api, worker and scheduler (docker-compose.yml picks the command).

# Build: all dependencies, compile TypeScript, then drop the dev dependencies.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY handlers ./handlers
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Run: production dependencies and compiled code only, as the unprivileged `node` user.
FROM node:22-bookworm-slim
ENV NODE_ENV=production LOG_FORMAT=json
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 3000 9464
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["start"]
