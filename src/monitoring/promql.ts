import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';

/** What parsing a query found. */
export interface ParsedQuery {
  /** Empty when the query parses. */
  readonly errors: readonly string[];
  /** Metric names used in vector selectors (PromQL only). */
  readonly metrics: readonly string[];
}

/**
 * Grafana replaces these before a query reaches the datasource; for parsing they become a valid
 * duration, and template variables (`$namespace`, `${job}`) become a plain label value.
 */
export function substituteGrafanaMacros(query: string): string {
  return query
    .replace(/\$__(rate_interval|interval|range|auto)\b/g, '5m')
    .replace(/\$\{[A-Za-z_][A-Za-z0-9_]*(:[a-z]+)?\}/g, 'grafana_var')
    .replace(/\$[A-Za-z_][A-Za-z0-9_]*/g, 'grafana_var');
}

function syntaxErrors(query: string, tree: { iterate(spec: { enter(node: { type: { isError: boolean }; from: number }): void }): void }): string[] {
  const errors: string[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        errors.push(`syntax error at offset ${node.from}: …${query.slice(Math.max(0, node.from - 20), node.from + 20)}…`);
      }
    },
  });
  return errors;
}

/**
 * Results of {@link parsePromQL} and {@link withMatcher} by query text: both are pure functions of
 * their arguments, and a process parses the same queries again and again (every synth of a profile
 * builds the same ones; `npm run generate` builds each profile's). The startup snapshot of the synth
 * (scripts/build.mjs) keeps what its warm-up synths parsed.
 */
const parsedPromQL = new Map<string, ParsedQuery>();
const matched = new Map<string, string>();

/** Parses PromQL (after Grafana macro substitution) and lists the metrics it selects. */
export function parsePromQL(query: string): ParsedQuery {
  let parsed = parsedPromQL.get(query);
  if (parsed === undefined) {
    parsed = parsePromQLText(query);
    parsedPromQL.set(query, parsed);
  }
  return parsed;
}

function parsePromQLText(query: string): ParsedQuery {
  const text = substituteGrafanaMacros(query);
  const tree = promqlParser.parse(text);
  const metrics = new Set<string>();
  tree.iterate({
    enter(node) {
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') {
        metrics.add(text.slice(node.from, node.to));
      }
    },
  });
  return Object.freeze({ errors: Object.freeze(syntaxErrors(text, tree)), metrics: Object.freeze([...metrics].sort()) });
}

/** Parses LogQL (after Grafana macro substitution). */
export function parseLogQL(query: string): ParsedQuery {
  const text = substituteGrafanaMacros(query);
  return { errors: syntaxErrors(text, logqlParser.parse(text)), metrics: [] };
}

/** `{a="b", c=~"d"}` from a label map: matchers in key order, values escaped. */
export function matchers(labels: Readonly<Record<string, string>>, regex: readonly string[] = []): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}${regex.includes(k) ? '=~' : '='}${JSON.stringify(labels[k])}`);
  return `{${parts.join(', ')}}`;
}

/**
 * The instant vector selectors of a PromQL query, as written (`metric{a="b"}`), in order of first
 * appearance: the raw series an expression is built from.
 */
export function vectorSelectors(query: string): string[] {
  const found: string[] = [];
  promqlParser.parse(query).iterate({
    enter(node) {
      if (node.name === 'VectorSelector') {
        const text = query.slice(node.from, node.to);
        if (!found.includes(text)) {
          found.push(text);
        }
        return false;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * `query` with `matcher` (e.g. `cluster=~"$cluster"`) added to every vector selector, the query
 * otherwise unchanged: `rate(a{job="x"}[$__rate_interval])` → `rate(a{job="x", cluster=~"$cluster"}[$__rate_interval])`.
 * Grafana macros (`$__rate_interval`) are parsed as durations of their length; variables may only
 * appear inside label values. A query that does not parse is returned as it is, for the dashboard
 * checker to report with its dashboard and panel.
 */
export function withMatcher(query: string, matcher: string): string {
  const key = `${matcher}\0${query}`;
  let result = matched.get(key);
  if (result === undefined) {
    result = insertMatcher(query, matcher);
    matched.set(key, result);
  }
  return result;
}

function insertMatcher(query: string, matcher: string): string {
  // Same-length stand-ins keep the parse tree's offsets valid for the original text.
  const text = query.replace(/\$__[A-Za-z_]+/g, (m) => `${'0'.repeat(m.length - 2)}1s`);
  const tree = promqlParser.parse(text);
  if (syntaxErrors(text, tree).length > 0) {
    return query;
  }
  const inserts: { at: number; text: string }[] = [];
  tree.iterate({
    enter(node) {
      if (node.name !== 'VectorSelector') {
        return undefined;
      }
      const labels = node.node.getChild('LabelMatchers');
      if (labels === null) {
        inserts.push({ at: node.to, text: `{${matcher}}` });
      } else {
        const inner = text.slice(labels.from + 1, labels.to - 1).trim();
        inserts.push({ at: labels.to - 1, text: inner === '' || inner.endsWith(',') ? matcher : `, ${matcher}` });
      }
      return false;
    },
  });
  return inserts.sort((a, b) => b.at - a.at).reduce((out, i) => `${out.slice(0, i.at)}${i.text}${out.slice(i.at)}`, query);
}
