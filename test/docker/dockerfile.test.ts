/**
 * The container files, checked without a Docker engine: the Dockerfile's shape and that
 * everything it copies exists, docker-compose.yml's three services and their wiring, and
 * .env.example against the environment table of docs/configuration.md. (scripts/fresh-clone-check.sh
 * runs the image's two stages outside Docker: build, then `npm ci --omit=dev` and the CLI.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { CONTRACT_ENVIRONMENT } from '../helpers/contract.js';
import {
  jsonForm,
  parseCopy,
  parseDockerfile,
  parseEnvFile,
  parseYamlSubset,
  stages,
  type Yaml,
} from './files.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(`${ROOT}${path}`, 'utf8');

const instructions = parseDockerfile(read('Dockerfile'));
const allStages = stages(instructions);
const runtime = allStages.at(-1)!;
const inRuntime = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword);
const envOf = (stage: (typeof allStages)[number]): Map<string, string> => {
  const env = new Map<string, string>();
  for (const ins of stage.instructions.filter((i) => i.keyword === 'ENV')) {
    for (const m of ins.args.matchAll(/([A-Z_][A-Z0-9_]*)=("[^"]*"|\S+)/g))
      env.set(m[1]!, m[2]!.replace(/"/g, ''));
  }
  return env;
};
const workdirOf = (stage: (typeof allStages)[number]): string =>
  stage.instructions.filter((i) => i.keyword === 'WORKDIR').at(-1)?.args ?? '/';

describe('Dockerfile', () => {
  it('is multi-stage on node:22-slim', () => {
    expect(allStages.length).toBeGreaterThanOrEqual(2);
    for (const stage of allStages) expect(stage.image).toBe('node:22-slim');
  });

  it('installs production dependencies only in the final stage, with npm ci --omit=dev', () => {
    const runs = inRuntime('RUN').map((i) => i.args);
    expect(runs.some((r) => /\bnpm ci\b[^&|;]*--omit=dev/.test(r))).toBe(true);
    // No plain `npm ci` / `npm install` that would bring the dev dependencies back.
    for (const r of runs) {
      for (const m of r.matchAll(/\bnpm (ci|install|i)\b[^&|;]*/g)) expect(m[0]).toContain('--omit=dev');
    }
  });

  it('builds dist in an earlier stage and copies it from there', () => {
    const build = allStages.slice(0, -1);
    const copies = inRuntime('COPY').map(parseCopy);
    const fromStage = copies.filter((c) => c.from !== undefined);
    expect(fromStage.length).toBeGreaterThan(0);
    for (const c of fromStage) expect(build.map((s) => s.name)).toContain(c.from);
    const builder = build.find((s) => s.name === fromStage[0]!.from)!;
    expect(builder.instructions.some((i) => i.keyword === 'RUN' && /\bnpm run build\b/.test(i.args))).toBe(
      true,
    );
    expect(fromStage.some((c) => c.sources.some((s) => posix.basename(s) === 'dist'))).toBe(true);
  });

  it('runs as a non-root user that the image has', () => {
    const user = inRuntime('USER').at(-1)?.args.split(':')[0];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    // node:*-slim images ship the `node` user; any other must be created in the Dockerfile.
    if (user !== 'node') {
      const runs = runtime.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
      expect(runs.some((r) => new RegExp(`\\b(useradd|adduser)\\b.*\\b${user}\\b`).test(r))).toBe(true);
    }
  });

  it('starts the scheduler: CMD ["node","--expose-gc","dist/cli.js","schedule"]', () => {
    const cmd = inRuntime('CMD').at(-1);
    expect(cmd).toBeDefined();
    // --expose-gc: the audit collects garbage between stages (src/pipeline/memory.ts).
    expect(jsonForm(cmd!.args)).toEqual(['node', '--expose-gc', 'dist/cli.js', 'schedule']);
    expect(inRuntime('ENTRYPOINT')).toEqual([]);
  });

  it('has a HEALTHCHECK on /healthz that needs no tool the slim image lacks', () => {
    const hc = inRuntime('HEALTHCHECK').at(-1);
    expect(hc).toBeDefined();
    expect(hc!.args).toMatch(/\bCMD\b/);
    expect(hc!.args).toContain('/healthz');
    // node:22-slim has neither curl nor wget unless the Dockerfile installs them.
    const installs = runtime.instructions.filter(
      (i) => i.keyword === 'RUN' && /apt-get install/.test(i.args),
    );
    for (const tool of ['curl', 'wget']) {
      if (new RegExp(`\\b${tool}\\b`).test(hc!.args)) {
        expect(installs.some((i) => new RegExp(`\\b${tool}\\b`).test(i.args))).toBe(true);
      }
    }
    // The site only listens with PORT set (schedule), so the image sets it and exposes it.
    const port = envOf(runtime).get('PORT');
    expect(port).toMatch(/^\d+$/);
    expect(inRuntime('EXPOSE').map((i) => i.args)).toContain(port);
  });

  it('declares the reports directory as a VOLUME, where REPORTS_DIR points', () => {
    const volumes = inRuntime('VOLUME').flatMap((i) => jsonForm(i.args) ?? i.args.split(/\s+/));
    const reportsDir = posix.resolve(workdirOf(runtime), envOf(runtime).get('REPORTS_DIR') ?? './reports');
    expect(posix.basename(reportsDir)).toBe('reports');
    expect(volumes).toContain(reportsDir);
    // The non-root user must be able to write there: created and chowned before USER.
    const chown = runtime.instructions.filter((i) => i.keyword === 'RUN' && /\bchown\b/.test(i.args));
    expect(chown.some((i) => i.args.includes(reportsDir))).toBe(true);
  });

  it('copies only paths that exist in the repo, and everything the built package needs', () => {
    const copied = new Set<string>();
    for (const stage of allStages) {
      for (const c of stage.instructions.filter((i) => i.keyword === 'COPY').map(parseCopy)) {
        if (c.from !== undefined) continue;
        for (const source of c.sources) {
          expect(existsSync(`${ROOT}${source}`), `COPY ${source} (Dockerfile)`).toBe(true);
          if (stage === runtime) copied.add(source.replace(/\/$/, ''));
        }
      }
    }
    // The runtime reads package.json (version) and migrations/; package.json `files` are what ships.
    const pkg = JSON.parse(read('package.json')) as { files: string[] };
    for (const needed of ['package.json', 'package-lock.json', ...pkg.files.filter((f) => f !== 'dist')]) {
      expect(copied, `the runtime stage copies ${needed}`).toContain(needed);
    }
  });

  it('gives the build stage what tsconfig.build.json compiles', () => {
    const builder = allStages[0]!;
    const copied = builder.instructions
      .filter((i) => i.keyword === 'COPY')
      .flatMap((i) => parseCopy(i).sources.map((s) => s.replace(/\/$/, '')));
    const buildConfig = JSON.parse(read('tsconfig.build.json')) as { extends?: string; include: string[] };
    expect(copied).toContain('tsconfig.build.json');
    if (buildConfig.extends !== undefined) expect(copied).toContain(posix.normalize(buildConfig.extends));
    for (const dir of buildConfig.include) expect(copied).toContain(dir);
  });

  it('has a .dockerignore that keeps local state out and every COPY source in', () => {
    const ignored = read('.dockerignore')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    for (const path of ['node_modules', '.env', 'data', 'reports', 'dist']) expect(ignored).toContain(path);
    const sources = instructions
      .filter((i) => i.keyword === 'COPY')
      .map(parseCopy)
      .filter((c) => c.from === undefined)
      .flatMap((c) => c.sources);
    for (const source of sources) expect(ignored).not.toContain(source.replace(/\/$/, ''));
  });
});

describe('docker-compose.yml', () => {
  const compose = parseYamlSubset(read('docker-compose.yml')) as { [key: string]: Yaml };
  const services = compose.services as { [name: string]: { [key: string]: Yaml } };
  const secrets = (compose.secrets ?? {}) as { [name: string]: { [key: string]: Yaml } };
  const image = (s: { [key: string]: Yaml }) => (typeof s.image === 'string' ? s.image : '');
  const find = (test: (s: { [key: string]: Yaml }) => boolean) =>
    Object.entries(services).find(([, s]) => test(s));
  const [pgName, pg] = find((s) => /^postgres:/.test(image(s))) ?? [];
  const [, app] = find((s) => s.build !== undefined) ?? [];
  const env = (app?.environment ?? {}) as { [key: string]: string };
  const { set: example } = parseEnvFile(read('.env.example'));

  it('has PostgreSQL and the service built from this repo', () => {
    expect(pg, 'a postgres:<version> service').toBeDefined();
    expect(app, 'a service with build: .').toBeDefined();
    expect(app!.build).toBe('.');
  });

  it('pins every image to a version (no :latest, no bare name)', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.image === undefined) continue;
      expect(image(s), name).toMatch(/^[\w./-]+:\d+(\.\d+)+[\w.-]*$/);
    }
  });

  it('publishes ports on 127.0.0.1 only', () => {
    const published = Object.values(services).flatMap((s) => (s.ports ?? []) as string[]);
    expect(published.length).toBeGreaterThan(0);
    for (const p of published) expect(p).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  });

  it('hands every secret over as a file (<NAME>_FILE from compose secrets), never in the environment', () => {
    const all = Object.values(services).flatMap((s) =>
      Object.entries((s.environment ?? {}) as { [key: string]: string }),
    );
    for (const [name, value] of all) {
      expect(name, `${name} is a secret: use ${name}_FILE`).not.toMatch(
        /^(SEGMENT_API_TOKEN|SEGMENT_WRITE_TOKEN|DATABASE_URL|SMTP_URL|REPORTS_TOKEN|METRICS_TOKEN|POSTGRES_PASSWORD)$/,
      );
      expect(value, name).not.toMatch(/^\w+:\/\/[^/@]*:[^/@]*@/); // no password inside a URL
      if (name.endsWith('_FILE')) {
        const secret = /^\/run\/secrets\/(\w+)$/.exec(value)?.[1];
        expect(secret, `${name} points into /run/secrets`).toBeDefined();
        expect(Object.keys(secrets)).toContain(secret);
      }
    }
    for (const name of ['SEGMENT_API_TOKEN', 'DATABASE_URL', 'SMTP_URL', 'REPORTS_TOKEN'])
      expect(env[`${name}_FILE`], name).toBe(`/run/secrets/${name.toLowerCase()}`);
    expect(app!.secrets).toEqual(
      expect.arrayContaining(['segment_api_token', 'database_url', 'reports_token']),
    );
    expect(app!.env_file, 'env_file would put the tokens in the environment again').toBeUndefined();
  });

  it('takes the database password from .env, never a hard-coded one', () => {
    const pgEnv = pg!.environment as { [key: string]: string };
    expect(pgEnv.POSTGRES_PASSWORD).toBeUndefined();
    expect(pgEnv.POSTGRES_PASSWORD_FILE).toBe('/run/secrets/postgres_password');
    expect(secrets.postgres_password).toEqual({ environment: 'POSTGRES_PASSWORD' });
    expect(secrets.database_url).toEqual({ environment: 'DATABASE_URL' });
    // .env.example builds the service's URL from that password, for the postgres service.
    expect(example.get('POSTGRES_PASSWORD')).toBe('');
    const db = new URL(example.get('DATABASE_URL')!);
    expect(db.hostname).toBe(pgName);
    expect(db.username).toBe(pgEnv.POSTGRES_USER);
    // Compose interpolates it from the line above in .env.
    expect(decodeURIComponent(db.password)).toBe(['$', '{POSTGRES_PASSWORD}'].join(''));
    expect(db.pathname).toBe(`/${pgEnv.POSTGRES_DB}`);
    const depends = app!.depends_on as { [name: string]: Yaml };
    expect((depends[pgName!] as { [key: string]: Yaml }).condition).toBe('service_healthy');
    expect(pg!.healthcheck).toBeDefined();
  });

  it('serves the download site on every interface inside the container, and keeps reports in a volume', () => {
    expect(env.PORT).toMatch(/^\d+$/);
    expect(env.BIND_ADDRESS).toBe('0.0.0.0');
    expect((app!.ports as string[]).some((p) => p.endsWith(`:${env.PORT}`))).toBe(true);
    const runtimeVolume = inRuntime('VOLUME')
      .flatMap((i) => jsonForm(i.args) ?? i.args.split(/\s+/))
      .find((v) => v.endsWith('/reports'));
    const mounts = (app!.volumes as string[]).map((v) => v.split(':'));
    const reports = mounts.find(([, target]) => target === runtimeVolume);
    expect(reports, `a volume mounted at ${runtimeVolume}`).toBeDefined();
    expect(Object.keys(compose.volumes as { [key: string]: Yaml })).toContain(reports![0]);
  });

  it('the image listens on 0.0.0.0 inside the container (compose decides where it is published)', () => {
    expect(envOf(runtime).get('BIND_ADDRESS')).toBe('0.0.0.0');
  });
});

describe('.env.example', () => {
  const { set, named } = parseEnvFile(read('.env.example'));

  // The list is docs/configuration.md's environment table (test/docs/documents.test.ts).
  it('names every variable of the environment table', () => {
    expect(CONTRACT_ENVIRONMENT.length).toBeGreaterThan(10);
    expect(CONTRACT_ENVIRONMENT.filter((v) => !named.has(v))).toEqual([]);
  });

  it('is a valid configuration once the tokens are filled in', () => {
    const env = Object.fromEntries(set);
    const filled = {
      ...env,
      SEGMENT_API_TOKEN: 'filled-in',
      REPORTS_TOKEN: 'a-random-reports-token-0123456789abcdef',
    };
    expect(() => loadConfig(filled, { segmentToken: true, reportsToken: true })).not.toThrow();
    // Secrets stay empty in the example.
    expect(set.get('SEGMENT_API_TOKEN')).toBe('');
    expect(set.get('POSTGRES_PASSWORD')).toBe('');
  });

  it('has a REPORTS_TOKEN placeholder that is refused as it is', () => {
    const env = Object.fromEntries(set);
    expect(() => loadConfig(env, { reportsToken: true })).toThrow(
      /^REPORTS_TOKEN is still the .env.example placeholder/,
    );
  });
});
