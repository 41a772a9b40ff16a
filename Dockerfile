# One image for every service of the federation; docker-compose.yml picks the entry point per service.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc tsconfig.base.json tsconfig.json ./
COPY packages/service-runtime/package.json packages/service-runtime/
COPY packages/request-signing/package.json packages/request-signing/
COPY packages/partnership/package.json packages/partnership/
COPY packages/subgraph-kit/package.json packages/subgraph-kit/
# Every subgraph (the workspace glob subgraphs/*), whole: a scaffolded one needs no line here. Their sources come
# before `npm ci`, so a subgraph change re-runs it; .dockerignore keeps node_modules and dist out.
COPY subgraphs/ subgraphs/
COPY gateway/package.json gateway/
COPY supergraph/package.json supergraph/
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app /app
# The shared `secrets` volume takes this folder's owner on first mount, so the services can write their keys.
RUN mkdir -p /app/data/secrets && chown -R node:node /app/data
USER node
