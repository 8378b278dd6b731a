// The Grafana / Prometheus / Jaeger stack, validated without a Docker engine: the compose file parses,
// images are pinned, every mounted path exists, Prometheus config and rules pass promtool (including
// the rule unit tests), and the Grafana provisioning points at what the compose file mounts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../support/harness.js';

type Service = { image: string; command?: string[]; volumes?: string[]; ports?: string[]; environment?: Record<string, string>; extra_hosts?: string[] };
const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.observability.yml'), 'utf8')) as {
  services: Record<string, Service>; volumes?: Record<string, unknown>;
};
const svc = compose.services;

function promtool(...args: string[]): { code: number | null; out: string } {
  const r = spawnSync('promtool', args, { cwd: ROOT, encoding: 'utf8' });
  if (r.error) throw new Error(`promtool is needed (Debian package prometheus): ${r.error.message}`);
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** `./x:/y:ro` → { host, container }; named volumes have no host path. */
function mounts(s: Service): Array<{ host?: string; container: string }> {
  return (s.volumes ?? []).map((v) => {
    const [src, dst] = v.split(':');
    return src!.startsWith('.') || src!.startsWith('/') ? { host: path.resolve(ROOT, src!), container: dst! } : { container: dst! };
  });
}

describe('docker-compose.observability.yml', () => {
  it('has Jaeger, Prometheus and Grafana with pinned image versions', () => {
    expect(Object.keys(svc).sort()).toEqual(['grafana', 'jaeger', 'prometheus']);
    for (const [name, s] of Object.entries(svc)) {
      expect(s.image, name).toMatch(/^[\w./-]+:v?\d+\.\d+\.\d+$/); // a full version, never latest
    }
    expect(svc.jaeger!.image).toMatch(/^jaegertracing\/jaeger:2\./);
  });

  it('every mounted host path exists, and named volumes are declared', () => {
    for (const [name, s] of Object.entries(svc)) {
      for (const m of mounts(s)) {
        if (m.host) expect(fs.existsSync(m.host), `${name}: ${m.host}`).toBe(true);
      }
      for (const v of s.volumes ?? []) {
        const src = v.split(':')[0]!;
        if (!src.startsWith('.') && !src.startsWith('/')) expect(Object.keys(compose.volumes ?? {})).toContain(src);
      }
    }
  });

  it('publishes ports on 127.0.0.1 only, with Jaeger taking OTLP/HTTP on 4318', () => {
    for (const [name, s] of Object.entries(svc)) {
      for (const p of s.ports ?? []) expect(p, name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    }
    expect(svc.jaeger!.ports).toContain('127.0.0.1:4318:4318');
    expect(svc.jaeger!.ports).toContain('127.0.0.1:16686:16686');
  });

  it('Prometheus reads the mounted config, which loads the mounted alert rules and scrapes the agent on the host', () => {
    const p = svc.prometheus!;
    const configArg = p.command!.find((c) => c.startsWith('--config.file='))!.split('=')[1]!;
    const byContainer = new Map(mounts(p).map((m) => [m.container, m.host]));
    const configHost = byContainer.get(configArg)!;
    expect(configHost).toBe(path.join(ROOT, 'prometheus', 'prometheus.yml'));
    const config = parse(fs.readFileSync(configHost, 'utf8')) as {
      rule_files: string[]; scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
    };
    for (const rules of config.rule_files) {
      expect(byContainer.get(path.posix.join(path.posix.dirname(configArg), rules)), rules).toBe(path.join(ROOT, 'prometheus', rules));
    }
    const agent = config.scrape_configs.find((j) => j.job_name === 'agent-otel')!;
    expect(agent.static_configs[0]!.targets).toContain('host.docker.internal:9464');
    expect(p.extra_hosts).toContain('host.docker.internal:host-gateway');
  });

  it('Grafana provisions the Prometheus and Jaeger datasources and the dashboards folder it mounts', () => {
    const g = svc.grafana!;
    const byContainer = new Map(mounts(g).map((m) => [m.container, m.host]));
    const provisioning = byContainer.get('/etc/grafana/provisioning')!;
    const ds = parse(fs.readFileSync(path.join(provisioning, 'datasources', 'datasources.yml'), 'utf8')) as {
      datasources: Array<{ uid: string; type: string; url: string }>;
    };
    expect(ds.datasources.map((d) => [d.type, d.uid, d.url])).toEqual([
      ['prometheus', 'prometheus', 'http://prometheus:9090'], ['jaeger', 'jaeger', 'http://jaeger:16686'],
    ]);
    const providers = parse(fs.readFileSync(path.join(provisioning, 'dashboards', 'dashboards.yml'), 'utf8')) as {
      providers: Array<{ options: { path: string } }>;
    };
    const dashDir = byContainer.get(providers.providers[0]!.options.path)!;
    expect(dashDir).toBe(path.join(ROOT, 'grafana', 'dashboards'));
    const files = fs.readdirSync(dashDir).filter((f) => f.endsWith('.json'));
    expect(files).toContain('agent-overview.json');
    const home = g.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!;
    expect(home.startsWith(providers.providers[0]!.options.path)).toBe(true);
    expect(fs.existsSync(path.join(dashDir, path.basename(home)))).toBe(true);
    expect(g.environment).toMatchObject({ GF_AUTH_ANONYMOUS_ENABLED: 'true', GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer' });
  });
});

describe('promtool', () => {
  it('check config prometheus/prometheus.yml', () => {
    const r = promtool('check', 'config', 'prometheus/prometheus.yml');
    expect(r.out).toMatch(/SUCCESS: 1 rule files found/);
    expect(r.code).toBe(0);
  });

  it('check rules prometheus/alerts.yml', () => {
    const r = promtool('check', 'rules', 'prometheus/alerts.yml');
    expect(r.out).toMatch(/SUCCESS: 6 rules found/);
    expect(r.code).toBe(0);
  });

  it('test rules prometheus/alerts.test.yml: every alert has a unit test that fires it', () => {
    const r = promtool('test', 'rules', 'prometheus/alerts.test.yml');
    expect(r.out).toMatch(/SUCCESS/);
    expect(r.code).toBe(0);
    const alerts = (parse(fs.readFileSync(path.join(ROOT, 'prometheus', 'alerts.yml'), 'utf8')) as {
      groups: Array<{ rules: Array<{ alert: string }> }>;
    }).groups.flatMap((g) => g.rules.map((x) => x.alert));
    expect(alerts.sort()).toEqual(['AgentRunErrorRateHigh', 'AgentStuck', 'CostBurnRateHigh', 'LlmLatencyHigh', 'TelemetryDropping', 'ToolErrorRateHigh']);
    const tests = parse(fs.readFileSync(path.join(ROOT, 'prometheus', 'alerts.test.yml'), 'utf8')) as {
      tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
    };
    const fired = new Set(tests.tests.flatMap((t) => t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
    expect([...fired].sort()).toEqual(alerts.sort());
  });
});

describe('grafana/dashboards/agent-overview.json', () => {
  const dash = JSON.parse(fs.readFileSync(path.join(ROOT, 'grafana', 'dashboards', 'agent-overview.json'), 'utf8')) as {
    uid: string; panels: Array<{ title: string; type: string; datasource?: { uid: string }; targets?: Array<{ expr: string }>; options?: { content?: string } }>;
    templating: { list: Array<{ name: string }> }; links: Array<{ url: string }>;
  };
  it('has the overview panels', () => {
    const titles = dash.panels.map((p) => p.title);
    for (const t of ['Runs per minute by agent and status', 'Run success rate', 'Run duration p50 / p95', 'LLM latency p95 by model',
      'Tokens per minute by model and type', 'Cost per hour by model', 'Tool calls per minute by tool', 'Tool error rate by tool',
      'Active runs', 'Dropped telemetry', 'Process memory (RSS)', 'Traces in Jaeger']) expect(titles).toContain(t);
  });
  it('every query panel uses the datasource variable, every variable it uses exists, and it links to Jaeger search', () => {
    const vars = new Set(dash.templating.list.map((v) => v.name));
    for (const p of dash.panels.filter((x) => x.targets)) {
      expect(p.datasource?.uid, p.title).toBe('${datasource}');
      for (const t of p.targets!) {
        for (const m of t.expr.matchAll(/\$\{?(\w+)/g)) if (!m[1]!.startsWith('__')) expect(vars, `${p.title}: $${m[1]}`).toContain(m[1]);
      }
    }
    expect(dash.links[0]!.url).toMatch(/^\$\{jaeger_url\}\/search\?service=/);
    expect(dash.panels.find((p) => p.type === 'text')!.options!.content).toMatch(/\$\{jaeger_url\}\/search/);
  });
});
