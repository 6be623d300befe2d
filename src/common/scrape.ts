import { ScrapeAnnotations } from './names';

/** Pod annotations that make the `kubernetes-pods` job scrape a port. */
export function scrapeAnnotations(port: number, path = '/metrics'): Record<string, string> {
  return { [ScrapeAnnotations.scrape]: 'true', [ScrapeAnnotations.port]: String(port), [ScrapeAnnotations.path]: path };
}
