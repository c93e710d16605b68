# The worker and the bridge share one image; docker-compose.yml picks the command. The image is built with
# tsconfig.production.json and without the sandbox (.dockerignore leaves out src/sandbox and the `npm start` entry
# point), so a production import of an emulator fails the build instead of shipping.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.production.json ./
COPY src ./src
COPY scripts ./scripts
RUN npm run build:production && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY config ./config
USER node
CMD ["node", "dist/src/main/worker.js"]
