/**
 * The Kubernetes files that follow the registry (subgraphs.json), as scripts/docker-compose-services.js writes them
 * with docker-compose.yml (`npm run compose`; `npm run check` compares): in deploy/kubernetes/, each subgraph's
 * Deployment, Service, PodDisruptionBudget and NetworkPolicy (base/subgraphs.yaml), the gateway's `<NAME>_URL`
 * variables (base/gateway-subgraph-urls.yaml, a patch), the local overlay's placeholder database Secrets and
 * production's optional read-replica keys. Who may call a subgraph's GraphQL port, and which `<PEER>_URL` a subgraph
 * gets, come from `checksReferencesWith`. What is not per subgraph stays written by hand beside these files.
 */

const { subgraphUrlVariableName, subgraphVariablePrefix } = require('@partnership/service-runtime');

const generated = '# Generated from subgraphs.json by `npm run compose` (scripts/kubernetes-manifests.js): edit that script, not this file.';
const nameLabel = 'app.kubernetes.io/name';
const peerUrl = (s, indent) => [`${indent}- name: ${subgraphUrlVariableName(s.name)}`, `${indent}  value: http://${s.name}:${s.port}/graphql`];
const podsNamed = (names, indent) => names.flatMap((name) => [`${indent}- podSelector:`, `${indent}    matchLabels:`, `${indent}      ${nameLabel}: ${name}`]);
/** A Deployment named `name` whose container `server` gets `env` (a patch: only what it adds). */
const envPatch = (name, env) => [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  `  name: ${name}`,
  'spec:',
  '  template:',
  '    spec:',
  '      containers:',
  '        - name: server',
  '          env:',
  ...env,
];

/** One subgraph's Deployment, Service, PodDisruptionBudget and NetworkPolicy. */
function subgraphObjects(s, subgraphs) {
  const prefix = subgraphVariablePrefix(s.name);
  const checked = subgraphs.filter((peer) => s.checksReferencesWith.includes(peer.name));
  const callers = subgraphs.filter((peer) => peer.checksReferencesWith.includes(s.name)).map((peer) => peer.name);
  return [
    `# The ${s.name} subgraph.`,
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${s.name}`,
    '  labels:',
    `    ${nameLabel}: ${s.name}`,
    '    app.kubernetes.io/component: subgraph',
    'spec:',
    '  selector:',
    '    matchLabels:',
    `      ${nameLabel}: ${s.name}`,
    '  template:',
    '    metadata:',
    '      labels:',
    `        ${nameLabel}: ${s.name}`,
    '        app.kubernetes.io/component: subgraph',
    '    spec:',
    '      containers:',
    '        - name: server',
    '          image: uz-fr-health-graph',
    `          command: ["node", "${s.folder}/dist/src/index.js"]`,
    '          ports:',
    '            - name: graphql',
    `              containerPort: ${s.port}`,
    '          env:',
    '            - name: PORT',
    `              value: "${s.port}"`,
    `            - name: ${prefix}_DATABASE_URL`,
    '              valueFrom:',
    '                secretKeyRef:',
    `                  name: ${s.name}-database`,
    `                  key: ${prefix}_DATABASE_URL`,
    ...(checked.length > 0 ? ['            # The subgraphs it checks references with before a write (their NetworkPolicy lets it in).'] : []),
    ...checked.flatMap((peer) => peerUrl(peer, '            ')),
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    `  name: ${s.name}`,
    '  labels:',
    `    ${nameLabel}: ${s.name}`,
    'spec:',
    '  selector:',
    `    ${nameLabel}: ${s.name}`,
    '  ports:',
    '    - name: graphql',
    `      port: ${s.port}`,
    '      targetPort: graphql',
    '---',
    'apiVersion: policy/v1',
    'kind: PodDisruptionBudget',
    'metadata:',
    `  name: ${s.name}`,
    'spec:',
    '  maxUnavailable: 1',
    '  selector:',
    '    matchLabels:',
    `      ${nameLabel}: ${s.name}`,
    '---',
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata:',
    `  name: ${s.name}`,
    'spec:',
    '  podSelector:',
    '    matchLabels:',
    `      ${nameLabel}: ${s.name}`,
    '  policyTypes: ["Ingress"]',
    '  ingress:',
    '    - ports:',
    '        - port: graphql',
    '      from:',
    ...podsNamed(['gateway', ...callers], '        '),
  ];
}

/** The files, relative to the repository root, with their wanted content and what writing them means. */
function kubernetesManifests(subgraphs) {
  const names = subgraphs.map((s) => s.name).join(', ');
  const file = (lines) => `${lines.join('\n')}\n`;
  return [
    {
      file: 'deploy/kubernetes/base/subgraphs.yaml',
      written: `Deployment, Service, PodDisruptionBudget and NetworkPolicy of ${names}`,
      wanted: file([
        generated,
        '# Each subgraph of the registry: Deployment, Service, PodDisruptionBudget, and the NetworkPolicy of its GraphQL port',
        '# (the gateway and the subgraphs that check references with it before a write, `checksReferencesWith`). Probes,',
        '# security, metrics, shutdown: service-defaults.yaml; resources: subgraph-defaults.yaml. No `replicas`: the first',
        '# install starts one pod, which applies the migrations; then `kubectl scale` (docs/operations.md), which a later',
        '# apply keeps.',
        ...subgraphs.flatMap((s, i) => [...(i > 0 ? ['---'] : []), ...subgraphObjects(s, subgraphs)]),
      ]),
    },
    {
      file: 'deploy/kubernetes/base/gateway-subgraph-urls.yaml',
      written: `the gateway's URLs of ${names}`,
      wanted: file([
        generated,
        "# Patched into gateway.yaml's Deployment: the URL of every subgraph.",
        ...envPatch(
          'gateway',
          subgraphs.flatMap((s) => peerUrl(s, '            ')),
        ),
      ]),
    },
    {
      file: 'deploy/kubernetes/overlays/local/database-secrets.yaml',
      written: `placeholder database Secrets of ${names}`,
      wanted: file([
        generated,
        "# The local overlay's generators (kustomization.yaml): each subgraph's database Secret, an SQLite file in its pod.",
        ...subgraphs.flatMap((s, i) => [
          ...(i > 0 ? ['---'] : []),
          'apiVersion: builtin',
          'kind: SecretGenerator',
          'metadata:',
          `  name: ${s.name}-database`,
          'literals:',
          `  - ${subgraphVariablePrefix(s.name)}_DATABASE_URL=sqlite:/app/data/${s.name}.sqlite`,
        ]),
      ]),
    },
    {
      file: 'deploy/kubernetes/overlays/production/read-replicas.yaml',
      written: `optional read-replica keys of ${names}`,
      wanted: file([
        generated,
        "# MySQL read replicas of each subgraph's database, comma-separated, when the Secret has them (optional: without the",
        '# key the subgraph reads from <NAME>_DATABASE_URL).',
        ...subgraphs.flatMap((s, i) => {
          const key = `${subgraphVariablePrefix(s.name)}_DATABASE_READ_URLS`;
          return [
            ...(i > 0 ? ['---'] : []),
            ...envPatch(s.name, [
              `            - name: ${key}`,
              '              valueFrom:',
              '                secretKeyRef:',
              `                  name: ${s.name}-database`,
              `                  key: ${key}`,
              '                  optional: true',
            ]),
          ];
        }),
      ]),
    },
  ];
}

module.exports = { kubernetesManifests };
