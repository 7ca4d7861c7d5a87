import { ComposeVariable } from '../docker/compose-file';
import { StackCertificate } from './compose-stack-props';

/** A required `.env` variable and where it comes from. */
export interface SecretVariable {
  readonly variable: ComposeVariable;
  readonly secretName: string;
  readonly key: string;
  /** `service: ENV_NAME` for every use. */
  readonly uses: string[];
}

/** `AGENT_SECRETS_OPENAI_API_KEY` for key `openai-api-key` of Secret `agent-secrets`, required. */
export function secretVariable(secretName: string, key: string): ComposeVariable {
  const name = `${secretName}_${key}`.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^([0-9])/, '_$1');
  return ComposeVariable.required(name, `set ${name} in .env (Kubernetes Secret ${secretName}, key ${key})`);
}

/** `.env.example`: every variable with an empty value and where it comes from. */
export function envExample(variables: readonly SecretVariable[]): string {
  const lines = [
    '# Copy to .env (never commit it) and fill in every value; docker compose reads it from this folder.',
    '# Each variable is the Kubernetes Secret key the Deployments read.',
  ];
  for (const v of variables) {
    lines.push('', `# Secret ${v.secretName}, key ${v.key}; used as ${v.uses.join(', ')}`, `${v.variable.name}=`);
  }
  return `${lines.join('\n')}\n`;
}

/** Keeps secrets, VCS data and weights out of a build context. */
export const DOCKERIGNORE = ['# Keep secrets, VCS data and model weights out of the build context.',
  '.git', '.env', '.env.*', '*.pem', '*.key', '**/__pycache__', '*.pyc', 'models/', ''].join('\n');

/** The one command that creates a self-signed pair in `ssl/`, run from the stack's folder. */
export function certificateCommand(c: StackCertificate): string {
  return `openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 30 -subj "/CN=${c.hostName}" `
    + `-addext "subjectAltName=DNS:${c.hostName}" `
    + `-keyout ssl/${c.keyFile} -out ssl/${c.certificateFile} && chmod 0644 ssl/${c.keyFile}`;
}

/** `ssl/README.md`: what goes in the folder (it also makes the mounted folder exist). */
export function sslReadme(c: StackCertificate): string {
  return [
    '# Gateway certificates',
    '',
    `Mounted read-only at \`/etc/nginx/ssl\` in the \`nginx\` service: put \`${c.certificateFile}\` (the chain) and`,
    `\`${c.keyFile}\` here, for \`${c.hostName}\`. A self-signed pair for a first run, from \`dist/compose/\`:`,
    '',
    '```sh',
    certificateCommand(c),
    '```',
    '',
    'nginx runs as uid 101 and must read the key: the command makes it world-readable, which is fine for',
    `a throw-away self-signed key. For a real key, keep mode 0600 and \`sudo chown 101 ssl/${c.keyFile}\`.`,
    'Synthesizing again replaces `dist/`: keep real certificates elsewhere and copy them in.',
    '',
  ].join('\n');
}

/** `secrets/tenants/README.md`: the key files the `nginx` service reads, never written by synth. */
export function tenantKeysReadme(variable: string, tenants: readonly string[]): string {
  const example = tenants[0];
  return [
    '# Tenant API keys',
    '',
    'The gateway identifies tenants by API key. Each tenant\'s keys are one Compose secret, read from',
    `\`$${variable}/<tenant>.map\` (default: this folder) and mounted at \`/etc/nginx/tenants/<tenant>.map\`:`,
    '',
    ...tenants.map((t) => `- \`${t}.map\``),
    '',
    'Each line is `"<api key>" <tenant>;`: two lines for one tenant while a key is rotated. Example for',
    `\`${example}.map\`, with a key from \`openssl rand -hex 32\` (nginx compares keys case-insensitively,`,
    'so use lowercase hex):',
    '',
    '```',
    `"<64 hex characters>" ${example};`,
    '```',
    '',
    'A tenant without keys needs an empty file (`touch`): Compose refuses to start while a file is',
    'missing, and the tenant then gets 401. nginx runs as uid 101 and must read the files (`chmod 0644`,',
    'or 0640 with group 101). After changing keys: `docker compose restart nginx` (a single-file mount',
    'does not follow a file an editor replaced). A malformed line or a key listed twice stops nginx.',
    '',
    `\`npm run synth\` replaces \`dist/\`: keep the real files outside it and point \`${variable}\` at them`,
    `(e.g. \`export ${variable}=/etc/ai-gateway/tenants\`). Never commit them.`,
    '',
  ].join('\n');
}

/** What the stack's README needs to know. */
export interface StackReadme {
  readonly certificate: StackCertificate;
  readonly hasEnv: boolean;
  /** Docker names of the model volumes. */
  readonly modelVolumes: readonly string[];
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly prometheusPort?: number;
  /** The variable naming the tenants' key folder, when the platform has tenants. */
  readonly tenantKeysVariable?: string;
  /** Services built when their image cannot be pulled, with their build contexts. */
  readonly built: ReadonlyArray<{ readonly service: string; readonly context: string }>;
}

/** `README.md` of the stack: the steps to run it and what to know. */
export function stackReadme(r: StackReadme): string {
  const steps = [`Certificates: \`${certificateCommand(r.certificate)}\` (see \`ssl/README.md\`).`];
  if (r.hasEnv) {
    steps.push('Secrets: `cp .env.example .env` and fill in every value (or export them in the shell). '
      + 'Compose refuses to start while one is missing.');
  }
  for (const volume of r.modelVolumes) {
    const fill = `docker run --rm -v ${volume}:/models -v /path/to/models:/src:ro alpine:3.20 cp -a /src/. /models/`;
    steps.push(
      `Model weights: the services mount the external volume \`${volume}\` read-only; `
        + '`up` refuses to start without it. Create and fill it once from a folder laid out as the containers '
        + `expect under the mount path:\n   \`docker volume create ${volume} && ${fill}\``,
    );
  }
  if (r.tenantKeysVariable) {
    steps.push(
      `Tenant API keys: one file \`<tenant>.map\` per tenant in \`$${r.tenantKeysVariable}\` `
        + '(default `./secrets/tenants`); see `secrets/tenants/README.md`. '
        + 'Compose refuses to start while one is missing.',
    );
  }
  steps.push('`docker compose up -d`: nginx starts once every agent and model service is healthy '
    + '(loading a model takes a while).');
  const prometheus = r.prometheusPort ? `http://127.0.0.1:${r.prometheusPort}` : 'no host port';
  const notes = [
    `The gateway answers on ports ${r.httpPort} and ${r.httpsPort}; Prometheus on ${prometheus}. `
      + 'Nothing else is published.',
    'Each workload is one service with `deploy.replicas`; nginx resolves the service name to every replica '
      + 'when it starts, so restart nginx after scaling.',
    'Docker does not share out GPUs: with `count`, every container gets the first devices. '
      + 'Pin devices with the `gpuDeviceIds` option.',
    ...r.built.map((b) => `\`${b.service}\` is pulled when its image exists, otherwise built from \`${b.context}\`, `
      + 'which must hold `requirements.txt` and `src/` '
      + `(the generated Dockerfile is \`./${b.service}/Dockerfile\`).`),
    'Secrets are never written here: they come from `.env` or the shell, as `${VAR:?...}` in `docker-compose.yml`.',
    '`npm run synth` replaces `dist/`: keep `.env`, real certificates and build contexts outside it and copy them in.',
  ];
  return [
    '# Docker Compose stack',
    '',
    'Generated by cdk8s-ai-agent-platform from the same model as the Kubernetes manifests. Needs Docker with',
    'Compose v2 and the NVIDIA Container Toolkit on a GPU host. Run every command from this folder.',
    '',
    ...steps.map((step, i) => `${i + 1}. ${step}`),
    '',
    '## Notes',
    '',
    ...notes.map((note) => `- ${note}`),
    '',
  ].join('\n');
}
