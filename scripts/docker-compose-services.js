#!/usr/bin/env node
/**
 * Writes docker-compose.yml from the registry (subgraphs.json): MySQL, one service per registered subgraph (its
 * port, its database, the URLs of the subgraphs registered before it) and the gateway (every subgraph's URL).
 * `npm run compose` runs it, so a subgraph added with `npm run new-subgraph` gets its service, database and user.
 * `--check` only compares, and fails when the file is not what the registry makes (as `npm run check` does).
 * Change the services here, not in docker-compose.yml.
 */

const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const file = path.join(root, 'docker-compose.yml');
const { subgraphs } = JSON.parse(fs.readFileSync(path.join(root, 'subgraphs.json'), 'utf8'));

const upper = (name) => name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
const url = (s) => `      ${upper(s.name)}_URL: http://${s.name}:${s.port}/graphql`;
const healthcheck = (port) => [
  '    healthcheck:',
  `      test: ["CMD", "node", "-e", "fetch('http://127.0.0.1:${port}/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]`,
  '      <<: *ready-check',
];

function render() {
  const lines = [
    '# The whole federation on MySQL 8: `docker compose up --build`, then http://localhost:4000/.',
    '# Passwords below are local defaults: set the *_DB_PASSWORD variables (e.g. in an .env file) for anything shared.',
    '# The gateway-to-subgraph signing secret and the local token key are generated on first start into the shared',
    '# `secrets` volume; set GATEWAY_SIGNING_SECRET and AUTH_* variables (see README, Security) for production.',
    '# Generated from subgraphs.json by `npm run compose` (scripts/docker-compose-services.js): edit that script, not this file.',
    'x-healthcheck: &ready-check',
    '  interval: 5s',
    '  timeout: 3s',
    '  retries: 30',
    '  start_period: 20s',
    '',
    'x-subgraph: &subgraph',
    '  build: .',
    '  restart: unless-stopped',
    '  volumes:',
    '    - secrets:/app/data/secrets',
    '  depends_on:',
    '    mysql:',
    '      condition: service_healthy',
    '',
    'services:',
    '  mysql:',
    '    image: mysql:8.4',
    '    command: ["--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci"]',
    '    environment:',
    '      MYSQL_ROOT_PASSWORD: ${MYSQL_ROOT_PASSWORD:-root-local}',
    `      SUBGRAPH_DATABASES: ${subgraphs.map((s) => s.name).join(' ')}`,
    ...subgraphs.map((s) => `      ${upper(s.name)}_DB_PASSWORD: \${${upper(s.name)}_DB_PASSWORD:-${s.name}-local}`),
    '    volumes:',
    '      - mysql-data:/var/lib/mysql',
    '      - ./docker/mysql-init.sh:/docker-entrypoint-initdb.d/10-subgraph-databases.sh:ro',
    '    healthcheck:',
    '      test: ["CMD", "mysqladmin", "ping", "--host=127.0.0.1", "--user=root", "--password=${MYSQL_ROOT_PASSWORD:-root-local}"]',
    '      <<: *ready-check',
  ];
  subgraphs.forEach((s, i) => {
    lines.push(
      '',
      `  ${s.name}:`,
      '    <<: *subgraph',
      `    command: ["node", "${s.folder}/dist/src/index.js"]`,
      '    environment:',
      `      PORT: "${s.port}"`,
      '      DATA_DIR: /app/data',
      '      GATEWAY_SIGNING_SECRET: ${GATEWAY_SIGNING_SECRET:-}',
      `      ${upper(s.name)}_DATABASE_URL: mysql://${s.name}:\${${upper(s.name)}_DB_PASSWORD:-${s.name}-local}@mysql:3306/${s.name}`,
      ...subgraphs.filter((_other, j) => j !== i).map(url),
      '      LOG_LEVEL: ${LOG_LEVEL:-info}',
      ...healthcheck(s.port),
    );
  });
  lines.push(
    '',
    '  gateway:',
    '    build: .',
    '    restart: unless-stopped',
    '    command: ["node", "gateway/dist/src/index.js"]',
    '    volumes:',
    '      - secrets:/app/data/secrets',
    '    ports:',
    '      - "${GATEWAY_PORT:-4000}:4000"',
    '    environment:',
    '      PORT: "4000"',
    '      DATA_DIR: /app/data',
    '      GATEWAY_SIGNING_SECRET: ${GATEWAY_SIGNING_SECRET:-}',
    '      AUTH_JWKS_URL: ${AUTH_JWKS_URL:-}',
    '      AUTH_ISSUER: ${AUTH_ISSUER:-uz-fr-health-graph-local}',
    '      AUTH_AUDIENCE: ${AUTH_AUDIENCE:-uz-fr-health-graph}',
    '      EXPLORER_OIDC_CLIENT_ID: ${EXPLORER_OIDC_CLIENT_ID:-}',
    '      INTROSPECTION: ${INTROSPECTION:-true}',
    ...subgraphs.map(url),
    '      CORS_ORIGINS: ${CORS_ORIGINS:-http://localhost:3000}',
    '      LOG_LEVEL: ${LOG_LEVEL:-info}',
    '    depends_on:',
    ...subgraphs.flatMap((s) => [`      ${s.name}:`, '        condition: service_healthy']),
    ...healthcheck(4000),
    '',
    'volumes:',
    '  mysql-data:',
    '  secrets:',
    '',
  );
  return lines.join('\n');
}

const wanted = render();
const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
if (process.argv.includes('--check')) {
  if (current !== wanted) {
    process.stderr.write('docker-compose.yml does not match subgraphs.json: run `npm run compose` (or node scripts/docker-compose-services.js)\n');
    process.exit(1);
  }
} else if (current !== wanted) {
  fs.writeFileSync(file, wanted);
  process.stdout.write(`docker-compose.yml: services for ${subgraphs.map((s) => s.name).join(', ')} and the gateway\n`);
}
