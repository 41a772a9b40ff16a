#!/usr/bin/env node
/**
 * `npm run new-subgraph -- --name research --owner FR`: makes subgraphs/<name>/ from templates/subgraph/ (tokens
 * __name__, __Name__, __nameCamel__, __name_snake__, __NAME__, __PORT__, __OWNER__, __TIMESTAMP__ in file contents
 * and paths), registers it in subgraphs.json on the next free port, and runs `npm install` (the workspace link; it
 * updates package-lock.json). Outside the new folder it touches only subgraphs.json and package-lock.json. On any
 * failure it removes the folder and restores both files. Next: `npm run compose`, `npm start`, `npm test`.
 */

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const templateDir = path.join(root, 'templates', 'subgraph');
const registryFile = path.join(root, 'subgraphs.json');
const lockFile = path.join(root, 'package-lock.json');
const GATEWAY_PORT = 4000;

function fail(message) {
  process.stderr.write(`new-subgraph: ${message}\n`);
  process.exit(1);
}

/** The partner codes, as the domain package declares them (`PARTNERS = ['UZ', ...]`). */
function partnerCodes() {
  const source = fs.readFileSync(path.join(root, 'packages', 'partnership', 'src', 'partners.ts'), 'utf8');
  const match = /PARTNERS\s*=\s*\[([^\]]*)\]/.exec(source);
  if (!match) fail('cannot find PARTNERS in packages/partnership/src/partners.ts');
  return [...match[1].matchAll(/'([A-Z]+)'/g)].map((m) => m[1]);
}

/**
 * Names a new subgraph may not take: compose services, `database` (its DATABASE_URL is every subgraph's fallback),
 * `metrics` (a NetworkPolicy of deploy/kubernetes/base) and every workspace package's name.
 */
function reservedNames() {
  const rootPackage = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const folders = rootPackage.workspaces.flatMap((pattern) =>
    pattern.endsWith('/*')
      ? fs
          .readdirSync(path.join(root, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => path.join(pattern.slice(0, -2), e.name))
      : [pattern],
  );
  const packageNames = folders
    .map((folder) => path.join(root, folder, 'package.json'))
    .filter((file) => fs.existsSync(file))
    .map((file) => JSON.parse(fs.readFileSync(file, 'utf8')).name.replace(/^@partnership\//, ''));
  // Registered subgraphs get their own, clearer refusal below.
  const registered = JSON.parse(fs.readFileSync(registryFile, 'utf8')).subgraphs.map((s) => s.name);
  return ['gateway', 'mysql', 'supergraph', 'redis', 'database', 'prometheus', 'otel-collector', 'jaeger', 'grafana', 'metrics', ...packageNames].filter(
    (reserved) => !registered.includes(reserved),
  );
}

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 1) {
    const separator = argv[i].indexOf('=');
    const flag = separator < 0 ? argv[i] : argv[i].slice(0, separator);
    const inline = separator < 0 ? undefined : argv[i].slice(separator + 1);
    if (flag !== '--name' && flag !== '--owner') fail(`unknown argument "${argv[i]}"; usage: npm run new-subgraph -- --name <name> --owner <UZ|FR|MC>`);
    let value = inline;
    if (value === undefined) {
      i += 1;
      value = argv[i];
    }
    if (value === undefined || value.startsWith('--')) fail(`${flag} needs a value`);
    args[flag.slice(2)] = value;
  }
  return args;
}

function main() {
  const { name, owner } = parseArgs(process.argv.slice(2));
  const partners = partnerCodes();
  if (!name || !owner) fail(`usage: npm run new-subgraph -- --name <name> --owner <${partners.join('|')}>`);
  if (!/^[a-z][a-z0-9]{1,30}$/.test(name)) {
    fail(
      `--name "${name}" is not valid: use 2 to 31 lower-case letters and digits, starting with a letter (it names the workspace, the database and variables such as ${'<NAME>'}_DATABASE_URL)`,
    );
  }
  if (reservedNames().includes(name)) {
    fail(
      `--name "${name}" is reserved: a service of docker-compose.yml, a Kubernetes object of deploy/kubernetes, an existing workspace package, or a name whose variables clash (DATABASE_URL)`,
    );
  }
  if (!partners.includes(owner)) fail(`--owner "${owner}" is not a partner code: use one of ${partners.join(', ')}`);

  const registryText = fs.readFileSync(registryFile, 'utf8');
  const registry = JSON.parse(registryText);
  const folder = `subgraphs/${name}`;
  const target = path.join(root, folder);
  if (registry.subgraphs.some((s) => s.name === name)) fail(`a subgraph "${name}" is already registered in subgraphs.json`);
  if (fs.existsSync(target)) fail(`${folder} already exists; choose another name or remove the folder`);
  let port = Math.max(...registry.subgraphs.map((s) => s.port)) + 1;
  if (port === GATEWAY_PORT) port += 1;

  const tokens = {
    name,
    Name: name[0].toUpperCase() + name.slice(1),
    nameCamel: name,
    name_snake: name,
    NAME: name.toUpperCase(),
    PORT: String(port),
    OWNER: owner,
    TIMESTAMP: String(Date.now()),
  };
  const render = (text) => text.replace(/__(name|Name|nameCamel|name_snake|NAME|PORT|OWNER|TIMESTAMP)__/g, (_, token) => tokens[token]);

  const lockText = fs.existsSync(lockFile) ? fs.readFileSync(lockFile, 'utf8') : null;
  const link = path.join(root, 'node_modules', '@partnership', name);
  try {
    copyRendered(templateDir, target, render);
    registry.subgraphs.push({ name, folder, port, owner });
    fs.writeFileSync(registryFile, formatRegistry(registry));
    process.stdout.write(`new-subgraph: made ${folder} (port ${port}, owner ${owner}); running npm install to link the workspace\n`);
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: root, stdio: 'inherit' });
  } catch (err) {
    fs.rmSync(target, { recursive: true, force: true });
    fs.writeFileSync(registryFile, registryText);
    if (lockText !== null) fs.writeFileSync(lockFile, lockText);
    // Only our own link: a failed install must not take another workspace's link with it.
    if (fs.existsSync(link) && fs.lstatSync(link).isSymbolicLink() && path.resolve(path.dirname(link), fs.readlinkSync(link)) === target)
      fs.rmSync(link, { force: true });
    fail(`${err.message}\nnothing was kept: ${folder} is removed, subgraphs.json and package-lock.json are as they were`);
  }
  process.stdout.write(
    [
      `new-subgraph: ${name} is registered on port ${port}. Next:`,
      '  npm run compose    # the supergraph, docker-compose.yml and the Kubernetes manifests now include it',
      '  npm start          # serves it through the gateway at http://localhost:4000/graphql',
      `  npm test           # runs ${folder}/test with the others`,
      'See docs/partner-guide.md, "Change your subgraph".',
      '',
    ].join('\n'),
  );
}

/** subgraphs.json as the formatter (biome, 160 columns) keeps it: one line per subgraph, or one line per field where that is too long. */
function formatRegistry(registry) {
  const LINE_WIDTH = 160;
  const inline = (value) => (Array.isArray(value) ? `[${value.map(inline).join(', ')}]` : JSON.stringify(value));
  const entries = registry.subgraphs.map((subgraph, i) => {
    const fields = Object.entries(subgraph).map(([key, value]) => `${JSON.stringify(key)}: ${inline(value)}`);
    const comma = i < registry.subgraphs.length - 1 ? ',' : '';
    const line = `    { ${fields.join(', ')} }${comma}`;
    return line.length <= LINE_WIDTH ? line : `    {\n${fields.map((field) => `      ${field}`).join(',\n')}\n    }${comma}`;
  });
  return `${JSON.stringify({ ...registry, subgraphs: [] }, null, 2).replace('"subgraphs": []', `"subgraphs": [\n${entries.join('\n')}\n  ]`)}\n`;
}

function copyRendered(from, to, render) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const destination = path.join(to, render(entry.name));
    if (entry.isDirectory()) copyRendered(source, destination, render);
    else fs.writeFileSync(destination, render(fs.readFileSync(source, 'utf8')));
  }
}

main();
