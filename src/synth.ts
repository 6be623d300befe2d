import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { ApiObject, App, Chart, DependencyGraph, Names, YamlOutputType } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { CDK8S_YAML, toYaml } from './common/yaml';
import type { StackConfig } from './config/schema';
import { buildStack } from './stack';
import { formatSummary, summarize } from './summary';

/**
 * Synthesizes the stack for `config` into `outdir`. Output goes to a fresh sibling directory that
 * replaces `outdir` only once everything was written: a failure leaves an existing outdir untouched.
 * An outdir that already holds exactly this output is left as it is (no file rewritten). Returns the
 * summary text.
 */
export function synthesize(config: StackConfig, outdir: string): string {
  const target = resolve(outdir);
  mkdirSync(dirname(target), { recursive: true });
  const staging = mkdtempSync(join(dirname(target), `.${basename(target)}-`));
  try {
    const app = new App({ outdir: staging });
    const { charts, warnings } = buildStack(app, config);
    const rendered = renderApp(app);
    // The summary reads the objects just rendered instead of rendering every chart a second time.
    const objectsOf = new Map(rendered.map((f) => [f.chart, f.objects]));
    const summary = formatSummary(summarize(charts.map((c) => ({ toJson: () => objectsOf.get(c) ?? c.toJson() }) as unknown as Chart)), config.profile, outdir, warnings);
    if (rendered.length > 0 && holdsExactly(target, rendered)) {
      rmSync(staging, { recursive: true, force: true });
      return summary;
    }
    for (const file of rendered) {
      writeFileSync(join(staging, file.name), file.yaml, { encoding: 'utf8' });
    }
    if (existsSync(target)) {
      rmSync(target, { recursive: true, force: true });
    }
    renameSync(staging, target);
    return summary;
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

/** Whether `dir` holds these files and nothing else, each with the same text. */
function holdsExactly(dir: string, files: readonly RenderedChart[]): boolean {
  try {
    const names = new Set(readdirSync(dir));
    return names.size === files.length && files.every((f) => names.has(f.name) && readFileSync(join(dir, f.name), 'utf8') === f.yaml);
  } catch {
    return false; // no such directory, or a name that is not a readable file: written anew
  }
}

/** One output file of {@link renderApp}. */
interface RenderedChart {
  readonly chart: Chart;
  /** File name in the output directory, as `App.synth()` names it. */
  readonly name: string;
  /** The chart's Kubernetes objects, in apply order. */
  readonly objects: readonly unknown[];
  readonly yaml: string;
}

/**
 * What `app.synth()` writes for a file-per-chart app (the cdk8s default), computed in one pass.
 *
 * `App.synth()` renders each chart with `Chart.toJson()`, and every `toJson()` validates the whole app
 * and re-derives its dependencies again (for 14 charts: 15 whole-app passes); the summary then rendered
 * every chart a second time. Here the app is validated and its dependencies resolved once, the same
 * way (cdk8s 2.70 `app.ts`: `validate`, `resolveDependencies`, `chartToKube`), each object is rendered
 * once, and the YAML comes from {@link stringifyManifest}. `test/bench/synth-render.test.ts` holds this
 * byte-equal to `app.synth()`. An app that records construct metadata goes through `app.synth()`.
 */
function renderApp(app: App): RenderedChart[] {
  if (process.env.CDK8S_RECORD_CONSTRUCT_METADATA === 'true' || app.yamlOutputType !== YamlOutputType.FILE_PER_CHART) {
    app.synth();
    return [];
  }
  const all = app.node.findAll();
  const errors: string[] = [];
  for (const child of all) {
    for (const error of child.node.validate()) errors.push(`[${child.node.path}] ${error}`);
  }
  if (errors.length > 0) {
    throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  }
  const hasDependantCharts = resolveDependencies(all);
  let index = 0;
  return app.charts.map((chart) => {
    const objects = new DependencyGraph(chart.node)
      .topology()
      .filter((x): x is ApiObject => x instanceof ApiObject && Chart.of(x) === chart)
      .map((o) => o.toJson() as unknown);
    const prefix = hasDependantCharts ? `${(index++).toString().padStart(4, '0')}-` : '';
    return { chart, name: `${prefix}${Names.toDnsLabel(chart)}${app.outputFileExtension}`, objects, yaml: objects.map(stringifyManifest).join('---\n') };
  });
}

/** cdk8s's `resolveDependencies` (app.ts), over the app's constructs `all`: whether any chart depends on another. */
function resolveDependencies(all: readonly IConstruct[]): boolean {
  let hasDependantCharts = false;
  for (const parentChart of all.filter((x) => x instanceof Chart)) {
    for (const childChart of parentChart.node.children.filter((x) => x instanceof Chart)) {
      parentChart.node.addDependency(childChart);
      hasDependantCharts = true;
    }
  }
  const deps = () => all.flatMap((source) => source.node.dependencies.map((target) => ({ source, target })));
  for (const dep of deps()) {
    const sourceChart = Chart.of(dep.source);
    const targetChart = Chart.of(dep.target);
    if (sourceChart !== targetChart) {
      sourceChart.node.addDependency(targetChart);
      hasDependantCharts = true;
    }
  }
  for (const dep of deps()) {
    const sourceChart = Chart.of(dep.source);
    const targetChart = Chart.of(dep.target);
    const targets = dep.target.node.findAll().filter((c) => c instanceof ApiObject && Chart.of(c) === targetChart);
    const sources = dep.source.node.findAll().filter((c) => c instanceof ApiObject && Chart.of(c) === sourceChart);
    for (const target of targets) {
      for (const source of sources) {
        if (target !== source) source.node.addDependency(target);
      }
    }
  }
  return hasDependantCharts;
}

/** One manifest as cdk8s's `Yaml.stringify` writes it (an `undefined` document: an empty one). */
export function stringifyManifest(doc: unknown): string {
  return doc === undefined ? '\n' : toYaml(doc, CDK8S_YAML);
}
