import { ScrapeAnnotations } from './names';

/** Options of {@link scrapeAnnotations}. */
export interface ScrapeOptions {
  /** @default '/metrics' */
  readonly path?: string;
  /** The exporter's labels win over the target's (its series describe other pods). @default false */
  readonly honorLabels?: boolean;
}

/** Pod annotations that make Prometheus's pod scrape jobs scrape a port. */
export function scrapeAnnotations(port: number, options: ScrapeOptions = {}): Record<string, string> {
  return {
    [ScrapeAnnotations.scrape]: 'true',
    [ScrapeAnnotations.port]: String(port),
    [ScrapeAnnotations.path]: options.path ?? '/metrics',
    ...(options.honorLabels ?? false ? { [ScrapeAnnotations.honorLabels]: 'true' } : {}),
  };
}
