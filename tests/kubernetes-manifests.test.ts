/**
 * The Kubernetes manifests (deploy/kubernetes): the files generated from subgraphs.json are current, and the registry's
 * `checksReferencesWith` matches the subgraphs' code; both overlays render offline with `kubectl kustomize`, every
 * object validates against the Kubernetes schemas (kubernetes-models), and what the federation relies on holds: probes,
 * resources, Services and budgets that find their pods, the autoscaler, who may connect to whom, the supergraph
 * ConfigMap, and Secrets (placeholders locally, none in production). Those are skipped, with the reason, where kubectl
 * is absent.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RegisteredSubgraph, readSubgraphRegistry, shutdownTimingsFromEnv, subgraphUrlVariableName } from '@partnership/service-runtime';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as core from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';

const root = join(__dirname, '..');
const kubernetesDir = join(root, 'deploy', 'kubernetes');
const overlayDir = (overlay: string) => join(kubernetesDir, 'overlays', overlay);
const composedSupergraph = join(root, 'supergraph', 'supergraph.graphql');
const registry = readSubgraphRegistry(join(root, 'subgraphs.json'));
const subgraphNames = registry.map((s) => s.name);
// The generator `npm run compose` runs (through scripts/docker-compose-services.js) for the per-subgraph files.
const { kubernetesManifests } = require('../scripts/kubernetes-manifests.js') as {
  kubernetesManifests(subgraphs: RegisteredSubgraph[]): Array<{ file: string; wanted: string }>;
};
const federationNames = ['gateway', ...subgraphNames];
const nameLabel = 'app.kubernetes.io/name';

/** A rendered Kubernetes object, as parsed from YAML. */
type K8sObject = Record<string, any> & { apiVersion: string; kind: string; metadata: { name: string } };
interface ModelClass {
  apiVersion: string;
  kind: string;
  new (data: object): { validate(): void };
}

// The model of every top-level kind these API groups define, by apiVersion and kind.
const models = new Map<string, ModelClass>();
for (const group of [core, apps, autoscaling, policy, networking]) {
  for (const value of Object.values(group) as unknown[]) {
    const model = value as ModelClass;
    if (typeof value === 'function' && model.apiVersion && model.kind) models.set(`${model.apiVersion} ${model.kind}`, model);
  }
}

function validate(object: K8sObject): void {
  const Model = models.get(`${object.apiVersion} ${object.kind}`);
  if (!Model) throw new Error(`${object.kind} ${object.metadata?.name}: no schema for ${object.apiVersion} ${object.kind} in this test`);
  new Model(object).validate();
}

const kubectlCheck = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const kubectlMissing = kubectlCheck.error
  ? `kubectl not found (${kubectlCheck.error.message})`
  : kubectlCheck.status !== 0
    ? `kubectl version --client failed: ${kubectlCheck.stderr.trim()}`
    : undefined;
if (kubectlMissing) {
  process.stdout.write(
    `\n[tests] ${kubectlMissing}: the Kubernetes manifest tests are SKIPPED (named "... (skipped: ${kubectlMissing})").\n` +
      '[tests] To run them: install kubectl (it renders Kustomize offline; no cluster needed), then npm test\n',
  );
}
const describeWithKubectl = kubectlMissing ? (name: string, fn: () => void) => describe.skip(`${name} (skipped: ${kubectlMissing})`, fn) : describe;

/** `kubectl kustomize <dir>`: the objects it renders, offline. */
function render(dir: string): K8sObject[] {
  const run = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${run.stderr || run.error?.message}`);
  return parseAllDocuments(run.stdout).map((document) => {
    if (document.errors.length > 0) throw new Error(`kubectl kustomize ${dir}: ${document.errors[0].message}`);
    return document.toJS() as K8sObject;
  });
}

const ofKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const named = (objects: K8sObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} named ${name}`);
  return found;
};
/** Whether a label selector (matchLabels only: these manifests use nothing else) selects pods labelled `labels`. */
function selects(selector: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } | undefined, labels: Record<string, string>): boolean {
  if (selector?.matchExpressions?.length) throw new Error('this test reads matchLabels selectors only');
  return Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
}
const podLabels = (deployment: K8sObject): Record<string, string> => deployment.spec.template.metadata.labels;
const containers = (deployment: K8sObject): Array<Record<string, any>> => deployment.spec.template.spec.containers;
/** Whether a container declares a port, by name or number. */
const declaresPort = (container: Record<string, any>, port: string | number) =>
  (container.ports ?? []).some((p: { name?: string; containerPort: number }) => p.name === port || p.containerPort === port);
/** The literal values of a container's environment (variables from Secrets left out). */
const literalEnv = (container: Record<string, any>): Record<string, string> =>
  Object.fromEntries(
    (container.env ?? []).filter((e: { value?: string }) => e.value !== undefined).map((e: { name: string; value: string }) => [e.name, e.value]),
  );
/** Every Secret key a Deployment's containers read, with whether it may be absent. */
function secretReferences(deployment: K8sObject): Array<{ secret: string; key: string; optional: boolean }> {
  return containers(deployment).flatMap((c) =>
    (c.env ?? [])
      .filter((e: any) => e.valueFrom?.secretKeyRef)
      .map((e: any) => ({ secret: e.valueFrom.secretKeyRef.name, key: e.valueFrom.secretKeyRef.key, optional: e.valueFrom.secretKeyRef.optional === true })),
  );
}

/**
 * Who may open connections to pods labelled `labels` on `port` (a container port's name), as NetworkPolicy decides:
 * `anyone`, or each allowed peer as its pod labels (`app.kubernetes.io/name=gateway`), `… in any namespace` when it
 * has an empty namespace selector, or its IP block.
 */
function allowedSources(objects: K8sObject[], labels: Record<string, string>, port: string): string[] {
  const policies = ofKind(objects, 'NetworkPolicy').filter(
    (p) => selects(p.spec.podSelector, labels) && (p.spec.policyTypes ?? ['Ingress']).includes('Ingress'),
  );
  if (policies.length === 0) return ['anyone'];
  const sources = new Set<string>();
  for (const rule of policies.flatMap((p) => p.spec.ingress ?? [])) {
    if (rule.ports?.length && !rule.ports.some((p: { port?: string | number }) => p.port === undefined || p.port === port)) continue;
    if (!rule.from?.length) sources.add('anyone');
    for (const peer of rule.from ?? []) {
      if (peer.ipBlock) {
        sources.add(`ipBlock ${peer.ipBlock.cidr}`);
        continue;
      }
      if (peer.podSelector?.matchExpressions?.length || peer.namespaceSelector?.matchExpressions?.length)
        throw new Error('this test reads matchLabels selectors only');
      const pods = Object.entries(peer.podSelector?.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
      const described = pods.length > 0 ? pods.join(',') : 'every pod';
      if (!peer.namespaceSelector) sources.add(described);
      else if (Object.keys(peer.namespaceSelector.matchLabels ?? {}).length === 0) sources.add(`${described} in any namespace`);
      else sources.add(`${described} in namespaces ${JSON.stringify(peer.namespaceSelector.matchLabels)}`);
    }
  }
  return [...sources].sort();
}

/**
 * Which subgraphs each subgraph's code checks references with before a write (`peers.find('<subgraph>', …)` in its
 * sources). Comments are left out: the template's mutation shows such a call in one, which a new subgraph keeps.
 */
function referenceChecksInCode(): Map<string, string[]> {
  const calls = new Map<string, string[]>();
  const withoutComments = (source: string) => source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  for (const subgraph of registry) {
    const sources = readdirSync(join(root, subgraph.folder, 'src'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
    const called = sources.flatMap((file) =>
      [...withoutComments(readFileSync(join(root, subgraph.folder, 'src', file), 'utf8')).matchAll(/\bpeers\.find\s*(?:<[^(]*>)?\(\s*['"]([\w-]+)['"]/g)].map(
        (m) => m[1],
      ),
    );
    calls.set(subgraph.name, [...new Set(called)].sort());
  }
  return calls;
}
/** The same, as subgraphs.json declares it (`checksReferencesWith`), from which the manifests are generated. */
const referenceChecks = new Map(registry.map((s) => [s.name, s.checksReferencesWith]));
const callersOf = (callee: string) => registry.filter((s) => s.checksReferencesWith.includes(callee)).map((s) => s.name);
const podsNamed = (...names: string[]) => names.map((name) => `${nameLabel}=${name}`).sort();

test("subgraphs.json's checksReferencesWith names the subgraphs each subgraph's code checks references with", () => {
  const inCode = referenceChecksInCode();
  // The scan must find the reference checks the subgraphs make, or this comparison would prove nothing.
  expect([...inCode.values()].flat().length).toBeGreaterThan(0);
  for (const { name, checksReferencesWith } of registry) {
    const called = inCode.get(name) ?? [];
    if (JSON.stringify([...checksReferencesWith].sort()) !== JSON.stringify(called)) {
      throw new Error(
        `${name} calls peers.find for ${JSON.stringify(called)} but subgraphs.json gives it "checksReferencesWith": ${JSON.stringify(checksReferencesWith)}: ` +
          `set "checksReferencesWith": ${JSON.stringify(called)} in its entry (its <NAME>_URL variables and the peers' NetworkPolicy follow it), then run \`npm run compose\``,
      );
    }
  }
});

test('the files generated from subgraphs.json are current (npm run compose writes them)', () => {
  for (const { file, wanted } of kubernetesManifests(registry)) {
    const path = join(root, file);
    const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (current !== wanted)
      throw new Error(`${file} is ${current === undefined ? 'missing' : 'not what subgraphs.json makes'}: run \`npm run compose\` and commit it`);
  }
});

test('the Kubernetes base holds the current supergraph (npm run compose copies it)', () => {
  const copy = readFileSync(join(kubernetesDir, 'base', 'supergraph.graphql'), 'utf8');
  if (copy !== readFileSync(composedSupergraph, 'utf8')) {
    throw new Error('deploy/kubernetes/base/supergraph.graphql is not supergraph/supergraph.graphql: run `npm run compose`');
  }
});

describeWithKubectl('Kubernetes manifests', () => {
  const rendered: Record<'local' | 'production', K8sObject[]> = { local: [], production: [] };
  beforeAll(() => {
    rendered.local = render(overlayDir('local'));
    rendered.production = render(overlayDir('production'));
  });

  describe.each(['local', 'production'] as const)('the %s overlay', (overlay) => {
    const objects = () => rendered[overlay];
    const deployments = () => ofKind(objects(), 'Deployment');
    const federation = () => federationNames.map((name) => named(objects(), 'Deployment', name));

    test('every object validates against its Kubernetes schema', () => {
      expect(objects().length).toBeGreaterThan(0);
      for (const object of objects()) validate(object);
    });

    test('a Deployment for the gateway and for each subgraph of subgraphs.json, and nothing else but the local Redis', () => {
      const expected = overlay === 'local' ? [...federationNames, 'redis'] : federationNames;
      expect(
        deployments()
          .map((d) => d.metadata.name)
          .sort(),
      ).toEqual([...expected].sort());
    });

    test('every Deployment has probes, resource requests and limits, and runs as a user other than root', () => {
      for (const deployment of deployments()) {
        const pod = deployment.spec.template.spec;
        for (const container of containers(deployment)) {
          const where = `${deployment.metadata.name}/${container.name}`;
          expect([where, container.readinessProbe !== undefined, container.livenessProbe !== undefined]).toEqual([where, true, true]);
          for (const bound of ['requests', 'limits'])
            expect([where, bound, Object.keys(container.resources?.[bound] ?? {}).sort()]).toEqual([where, bound, ['cpu', 'memory']]);
          const user = container.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
          expect([where, container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot, user > 0]).toEqual([where, true, true]);
          expect([where, container.securityContext?.allowPrivilegeEscalation]).toEqual([where, false]);
        }
      }
    });

    test('the services are probed on their health paths, at a port the container declares', () => {
      for (const deployment of federation()) {
        const [container] = containers(deployment);
        const where = deployment.metadata.name;
        // The gateway's readiness leaves the subgraphs out: one subgraph down must not empty the gateway's Service.
        const readiness = where === 'gateway' ? '/health/live' : '/health/ready';
        expect([where, container.readinessProbe.httpGet?.path, container.livenessProbe.httpGet?.path]).toEqual([where, readiness, '/health/live']);
        for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe].filter(Boolean)) {
          expect([where, probe.httpGet.port, declaresPort(container, probe.httpGet.port)]).toEqual([where, probe.httpGet.port, true]);
        }
      }
    });

    test('each service port is the one subgraphs.json gives it; metrics are served on a named port Prometheus is told about', () => {
      const ports = new Map([['gateway', 4000], ...registry.map((s) => [s.name, s.port] as [string, number])]);
      for (const deployment of federation()) {
        const [container] = containers(deployment);
        const env = literalEnv(container);
        const metricsPort = container.ports.find((p: { name?: string }) => p.name === 'metrics')?.containerPort;
        const annotations = deployment.spec.template.metadata.annotations ?? {};
        expect([deployment.metadata.name, Number(env.PORT), declaresPort(container, Number(env.PORT))]).toEqual([
          deployment.metadata.name,
          ports.get(deployment.metadata.name),
          true,
        ]);
        expect([deployment.metadata.name, env.METRICS_PORT, env.METRICS_HOST, annotations['prometheus.io/port']]).toEqual([
          deployment.metadata.name,
          String(metricsPort),
          '0.0.0.0',
          String(metricsPort),
        ]);
      }
    });

    test('Kubernetes waits for a service to stop by itself before it kills it', () => {
      for (const deployment of federation()) {
        const [container] = containers(deployment);
        const pause = container.lifecycle?.preStop?.exec?.command;
        const pauseMs = pause?.[0] === 'sleep' ? Number(pause[1]) * 1000 : 0;
        const { deadlineMs } = shutdownTimingsFromEnv(literalEnv(container));
        const graceMs = (deployment.spec.template.spec.terminationGracePeriodSeconds ?? 30) * 1000;
        expect([deployment.metadata.name, graceMs > pauseMs + deadlineMs]).toEqual([deployment.metadata.name, true]);
      }
    });

    test('every Service selects the pods of one Deployment and targets a port they declare', () => {
      for (const service of ofKind(objects(), 'Service')) {
        const targets = deployments().filter((d) => selects({ matchLabels: service.spec.selector }, podLabels(d)));
        expect([service.metadata.name, targets.map((d) => d.metadata.name)]).toEqual([service.metadata.name, [service.metadata.name]]);
        for (const port of service.spec.ports) {
          expect([service.metadata.name, port.targetPort, declaresPort(containers(targets[0])[0], port.targetPort ?? port.port)]).toEqual([
            service.metadata.name,
            port.targetPort,
            true,
          ]);
        }
      }
    });

    test('every URL a service is given reaches a Service port of that subgraph; the gateway knows them all', () => {
      for (const deployment of federation()) {
        const env = literalEnv(containers(deployment)[0]);
        const urls = subgraphNames.filter((name) => env[subgraphUrlVariableName(name)] !== undefined);
        const expected = deployment.metadata.name === 'gateway' ? subgraphNames : (referenceChecks.get(deployment.metadata.name) ?? []);
        expect([deployment.metadata.name, urls.sort()]).toEqual([deployment.metadata.name, [...expected].sort()]);
        for (const name of urls) {
          const url = new URL(env[subgraphUrlVariableName(name)]);
          const service = named(objects(), 'Service', url.hostname);
          expect([name, url.hostname, url.pathname, service.spec.ports.some((p: { port: number }) => p.port === Number(url.port))]).toEqual([
            name,
            name,
            '/graphql',
            true,
          ]);
        }
      }
    });

    test('the gateway scales on CPU with an autoscaler that owns its replica count', () => {
      const [autoscaler, ...others] = ofKind(objects(), 'HorizontalPodAutoscaler');
      expect(others).toEqual([]);
      expect(autoscaler.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'gateway' });
      expect(autoscaler.spec.metrics.map((m: any) => [m.type, m.resource?.name])).toEqual([['Resource', 'cpu']]);
      expect(autoscaler.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(named(objects(), 'Deployment', 'gateway').spec.replicas).toBeUndefined();
    });

    test('every Deployment has one PodDisruptionBudget, and each budget selects the pods of a Deployment', () => {
      const budgets = ofKind(objects(), 'PodDisruptionBudget');
      for (const deployment of deployments()) {
        const covering = budgets.filter((b) => selects(b.spec.selector, podLabels(deployment))).map((b) => b.metadata.name);
        expect([deployment.metadata.name, covering]).toEqual([deployment.metadata.name, [deployment.metadata.name]]);
      }
      for (const budget of budgets) {
        expect([budget.metadata.name, deployments().some((d) => selects(budget.spec.selector, podLabels(d)))]).toEqual([budget.metadata.name, true]);
      }
    });

    test("only the gateway, and the subgraphs that check references with it, reach a subgraph's GraphQL port", () => {
      // Some subgraph must check references with another, or every expectation below would be too lax.
      expect(registry.some((s) => s.checksReferencesWith.length > 0)).toBe(true);
      for (const name of subgraphNames) {
        const labels = podLabels(named(objects(), 'Deployment', name));
        expect([name, allowedSources(objects(), labels, 'graphql')]).toEqual([name, podsNamed('gateway', ...callersOf(name))]);
      }
      expect(allowedSources(objects(), podLabels(named(objects(), 'Deployment', 'gateway')), 'graphql')).toEqual(['anyone']);
      if (overlay === 'local') expect(allowedSources(objects(), podLabels(named(objects(), 'Deployment', 'redis')), 'redis')).toEqual(podsNamed('gateway'));
    });

    test('only pods labelled as Prometheus reach the metrics port', () => {
      for (const deployment of federation()) {
        expect([deployment.metadata.name, allowedSources(objects(), podLabels(deployment), 'metrics')]).toEqual([
          deployment.metadata.name,
          [`${nameLabel}=prometheus in any namespace`],
        ]);
      }
    });

    test("the gateway serves the current supergraph from a ConfigMap named by its content's hash", () => {
      const gateway = named(objects(), 'Deployment', 'gateway');
      const [container] = containers(gateway);
      const volume = gateway.spec.template.spec.volumes.find((v: any) => v.configMap?.name.startsWith('supergraph'));
      const mount = container.volumeMounts.find((m: { name: string }) => m.name === volume.name);
      expect(volume.configMap.name).toMatch(/^supergraph-[a-z0-9]+$/);
      expect(literalEnv(container).SUPERGRAPH_PATH).toBe(`${mount.mountPath}/supergraph.graphql`);
      expect(named(objects(), 'ConfigMap', volume.configMap.name).data['supergraph.graphql']).toBe(readFileSync(composedSupergraph, 'utf8'));
    });
  });

  test('a new supergraph renders a new ConfigMap name into the gateway, so applying it rolls the gateway', () => {
    const copy = mkdtempSync(join(tmpdir(), 'kubernetes-manifests-'));
    try {
      cpSync(kubernetesDir, copy, { recursive: true });
      writeFileSync(join(copy, 'base', 'supergraph.graphql'), `${readFileSync(composedSupergraph, 'utf8')}\n# changed\n`);
      const supergraphVolume = (objects: K8sObject[]) =>
        named(objects, 'Deployment', 'gateway').spec.template.spec.volumes.find((v: any) => v.configMap?.name.startsWith('supergraph')).configMap.name;
      const before = supergraphVolume(rendered.production);
      const after = supergraphVolume(render(join(copy, 'overlays', 'production')));
      expect(after).not.toBe(before);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  test('in the local overlay every Secret key a Deployment reads exists (generated placeholders)', () => {
    const secrets = ofKind(rendered.local, 'Secret');
    for (const reference of ofKind(rendered.local, 'Deployment').flatMap(secretReferences)) {
      const secret = secrets.find((s) => s.metadata.name === reference.secret);
      expect([reference, Object.keys(secret?.data ?? {}).includes(reference.key)]).toEqual([reference, true]);
    }
  });

  test('the production overlay holds no secret value: its Secrets are created out of band, with the keys the local overlay has', () => {
    const production = rendered.production;
    expect(ofKind(production, 'Secret').map((s) => s.metadata.name)).toEqual([]);
    // The keys of the local overlay's Secrets, by Secret name without the content hash Kustomize's generators append.
    const localKeys = new Map(
      ofKind(rendered.local, 'Secret').map((secret) => [secret.metadata.name.replace(/-[a-z0-9]{10}$/, ''), Object.keys(secret.data ?? {})]),
    );
    const fromSecrets = new Set<string>();
    for (const deployment of ofKind(production, 'Deployment')) {
      for (const reference of secretReferences(deployment).filter((r) => !r.optional)) {
        expect([reference, localKeys.get(reference.secret)?.includes(reference.key)]).toEqual([reference, true]);
      }
      for (const container of containers(deployment)) for (const e of container.env ?? []) if (e.valueFrom?.secretKeyRef) fromSecrets.add(e.name);
    }
    for (const deployment of ofKind(production, 'Deployment')) {
      for (const name of Object.keys(literalEnv(containers(deployment)[0]))) {
        expect([deployment.metadata.name, name, fromSecrets.has(name) || /SECRET|PASSWORD|_DATABASE_|REDIS_URL/.test(name)]).toEqual([
          deployment.metadata.name,
          name,
          false,
        ]);
      }
    }
    // No URL with a user and password anywhere (mysql://user:password@…, redis://:password@…).
    expect(JSON.stringify(production)).not.toMatch(/[a-z]+:\/\/[^/\s"@]*:[^/\s"@]*@/);
  });

  test('the schema validation is live: a broken Deployment is refused', () => {
    const gateway = structuredClone(named(rendered.production, 'Deployment', 'gateway'));
    expect(() => validate(gateway)).not.toThrow();
    gateway.spec.template.spec.containers[0].ports[0].containerPort = 'four thousand';
    expect(() => validate(gateway)).toThrow(/containerPort must be integer/);
    delete gateway.spec.selector;
    expect(() => validate(gateway)).toThrow(/selector/);
  });
});
