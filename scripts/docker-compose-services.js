#!/usr/bin/env node
/**
 * Writes docker-compose.yml from the registry (subgraphs.json): MySQL, one service per registered subgraph (its
 * port, its database, the URLs of the subgraphs it checks references with) and the gateway (every subgraph's URL),
 * plus the opt-in `observability` profile (Prometheus, OpenTelemetry Collector, Jaeger, Grafana);
 * deploy/observability/prometheus.yml, which scrapes the gateway and every registered subgraph; and the Kubernetes
 * files of scripts/kubernetes-manifests.js. `npm run compose` runs it (after building @partnership/service-runtime,
 * whose readSubgraphRegistry checks the registry), so a subgraph added with `npm run new-subgraph` gets its service,
 * database, user, scrape job and Kubernetes objects. `--check` only compares, and fails when a file is not what the
 * registry makes (as `npm run check` does). Change the services here, not in the files it writes.
 */

const fs = require('node:fs');
const path = require('node:path');
const { readSubgraphRegistry, subgraphUrlVariableName, subgraphVariablePrefix } = require('@partnership/service-runtime');
const { kubernetesManifests } = require('./kubernetes-manifests');

const root = path.resolve(__dirname, '..');
const composeFile = path.join(root, 'docker-compose.yml');
const prometheusFile = path.join(root, 'deploy', 'observability', 'prometheus.yml');
let subgraphs;
try {
  subgraphs = readSubgraphRegistry(path.join(root, 'subgraphs.json'));
} catch (err) {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
}

const url = (s) => `      ${subgraphUrlVariableName(s.name)}: http://${s.name}:${s.port}/graphql`;
// In a container every service serves its metrics on the same port (one network namespace each), to Prometheus only.
const METRICS_PORT = 9464;
// Empty unless the caller sets OTEL_EXPORTER_OTLP_ENDPOINT: without the observability profile nothing exports spans.
const telemetry = [
  `      METRICS_PORT: "${METRICS_PORT}"`,
  '      METRICS_HOST: 0.0.0.0',
  '      OTEL_EXPORTER_OTLP_ENDPOINT: ${OTEL_EXPORTER_OTLP_ENDPOINT:-}',
];
const observabilityProfile = ['    profiles:', '      - observability', '    restart: unless-stopped'];
const healthcheck = (port) => [
  '    healthcheck:',
  `      test: ["CMD", "node", "-e", "fetch('http://127.0.0.1:${port}/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]`,
  '      <<: *ready-check',
];

function renderCompose() {
  const lines = [
    '# The whole federation on MySQL 8: `docker compose up --build`, then http://localhost:4000/.',
    '# With metrics and traces: `OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector:4318 docker compose --profile observability up --build`,',
    '# then Grafana on http://localhost:3001/, Jaeger on http://localhost:16686/, Prometheus on http://localhost:9090/.',
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
    ...subgraphs.map((s) => `      ${subgraphVariablePrefix(s.name)}_DB_PASSWORD: \${${subgraphVariablePrefix(s.name)}_DB_PASSWORD:-${s.name}-local}`),
    '    volumes:',
    '      - mysql-data:/var/lib/mysql',
    '      - ./docker/mysql-init.sh:/docker-entrypoint-initdb.d/10-subgraph-databases.sh:ro',
    '    healthcheck:',
    '      test: ["CMD", "mysqladmin", "ping", "--host=127.0.0.1", "--user=root", "--password=${MYSQL_ROOT_PASSWORD:-root-local}"]',
    '      <<: *ready-check',
  ];
  for (const s of subgraphs) {
    lines.push(
      '',
      `  ${s.name}:`,
      '    <<: *subgraph',
      `    command: ["node", "${s.folder}/dist/src/index.js"]`,
      '    environment:',
      `      PORT: "${s.port}"`,
      '      DATA_DIR: /app/data',
      '      GATEWAY_SIGNING_SECRET: ${GATEWAY_SIGNING_SECRET:-}',
      `      ${subgraphVariablePrefix(s.name)}_DATABASE_URL: mysql://${s.name}:\${${subgraphVariablePrefix(s.name)}_DB_PASSWORD:-${s.name}-local}@mysql:3306/${s.name}`,
      ...subgraphs.filter((peer) => s.checksReferencesWith.includes(peer.name)).map(url),
      ...telemetry,
      '      LOG_LEVEL: ${LOG_LEVEL:-info}',
      ...healthcheck(s.port),
    );
  }
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
    ...telemetry,
    '      LOG_LEVEL: ${LOG_LEVEL:-info}',
    '    depends_on:',
    ...subgraphs.flatMap((s) => [`      ${s.name}:`, '        condition: service_healthy']),
    ...healthcheck(4000),
    '',
    '  prometheus:',
    '    image: prom/prometheus:v2.55.1',
    ...observabilityProfile,
    '    volumes:',
    '      - ./deploy/observability/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
    '      - ./deploy/observability/alerts.yml:/etc/prometheus/alerts.yml:ro',
    '    ports:',
    '      - "${PROMETHEUS_PORT:-9090}:9090"',
    '',
    '  otel-collector:',
    '    image: otel/opentelemetry-collector:0.116.1',
    ...observabilityProfile,
    '    command: ["--config=/etc/otelcol/config.yaml"]',
    '    volumes:',
    '      - ./deploy/observability/otel-collector.yml:/etc/otelcol/config.yaml:ro',
    '    depends_on:',
    '      - jaeger',
    '',
    '  jaeger:',
    '    image: jaegertracing/all-in-one:1.76.0',
    ...observabilityProfile,
    '    ports:',
    '      - "${JAEGER_UI_PORT:-16686}:16686"',
    '',
    '  grafana:',
    '    image: grafana/grafana:11.4.0',
    ...observabilityProfile,
    '    environment:',
    '      GF_SECURITY_ADMIN_PASSWORD: ${GRAFANA_ADMIN_PASSWORD:-admin}',
    '      GF_AUTH_ANONYMOUS_ENABLED: "true"',
    '      GF_AUTH_ANONYMOUS_ORG_ROLE: Viewer',
    '      GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: /etc/grafana/dashboards/federation.json',
    '    volumes:',
    '      - ./deploy/observability/grafana/provisioning:/etc/grafana/provisioning:ro',
    '      - ./deploy/observability/grafana/dashboards:/etc/grafana/dashboards:ro',
    '    ports:',
    '      - "${GRAFANA_PORT:-3001}:3000"',
    '    depends_on:',
    '      - prometheus',
    '      - jaeger',
    '',
    'volumes:',
    '  mysql-data:',
    '  secrets:',
    '',
  );
  return lines.join('\n');
}

/** Prometheus's configuration: one scrape job per service, named as the service (`job="gateway"`, `job="training"`). */
function renderPrometheus() {
  const job = (name) => [`  - job_name: ${name}`, '    static_configs:', `      - targets: ["${name}:${METRICS_PORT}"]`];
  return [
    "# Prometheus of the `observability` profile of docker-compose.yml: every service's metrics listener, and the alert rules.",
    '# Generated from subgraphs.json by `npm run compose` (scripts/docker-compose-services.js): edit that script, not this file.',
    'global:',
    '  scrape_interval: 15s',
    '  evaluation_interval: 15s',
    '',
    'rule_files:',
    '  - alerts.yml',
    '',
    'scrape_configs:',
    ...['gateway', ...subgraphs.map((s) => s.name)].flatMap(job),
    '',
  ].join('\n');
}

const outputs = [
  { file: composeFile, wanted: renderCompose(), written: `services for ${subgraphs.map((s) => s.name).join(', ')} and the gateway` },
  { file: prometheusFile, wanted: renderPrometheus(), written: 'scrape jobs for the gateway and every subgraph' },
  ...kubernetesManifests(subgraphs).map((output) => ({ ...output, file: path.join(root, output.file) })),
];
const stale = outputs.filter(({ file, wanted }) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '') !== wanted);
if (process.argv.includes('--check')) {
  for (const { file } of stale) {
    process.stderr.write(`${path.relative(root, file)} does not match subgraphs.json: run \`npm run compose\` (or node scripts/docker-compose-services.js)\n`);
  }
  if (stale.length > 0) process.exit(1);
} else {
  for (const { file, wanted, written } of stale) {
    fs.writeFileSync(file, wanted);
    process.stdout.write(`${path.relative(root, file)}: ${written}\n`);
  }
}
