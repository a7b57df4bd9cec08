FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:22-slim
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The admin console as Vite built it (`npm run build` runs build:console), where adminPages.ts looks.
COPY --from=build /app/dashboard/console/dist ./dist/dashboard/console/dist
COPY package.json ./
USER node
CMD ["node", "dist/api/main.js"]
