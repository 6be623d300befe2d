/**
 * Value types of the stack config: durations, resource quantities and image references.
 * The schema refuses any text these parsers reject, so a component that needs a number (seconds,
 * millicores) converts a validated value with the same parser and never meets `undefined`.
 */

const DURATION_UNITS_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/** A Prometheus-style duration: `30s`, `5m`, `1h30m`, `15d`. Units in descending order, each once. */
export const DURATION_PATTERN = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds in a Prometheus duration, or undefined when the text is not one (or is zero). */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (match === null || text === '') {
    return undefined;
  }
  const units = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  const ms = units.reduce((sum, unit, i) => sum + Number(match[i + 1] ?? 0) * DURATION_UNITS_MS[unit], 0);
  return ms > 0 ? ms : undefined;
}

/** CPU quantity: `250m`, `0.5`, `2`. */
export const CPU_PATTERN = /^(\d+m|\d+(\.\d{1,3})?)$/;

/** Millicores of a CPU quantity, or undefined. */
export function parseCpuMillis(text: string): number | undefined {
  if (!CPU_PATTERN.test(text)) {
    return undefined;
  }
  const millis = text.endsWith('m') ? Number(text.slice(0, -1)) : Math.round(Number(text) * 1000);
  return millis > 0 ? millis : undefined;
}

/** Memory or storage quantity in binary units: `128Mi`, `2Gi`, `1Ti`. */
export const BYTES_PATTERN = /^(\d+)(Ki|Mi|Gi|Ti)$/;

const BYTE_UNITS: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** Bytes of a binary quantity, or undefined. */
export function parseBytes(text: string): number | undefined {
  const match = BYTES_PATTERN.exec(text);
  if (match === null) {
    return undefined;
  }
  const bytes = Number(match[1]) * BYTE_UNITS[match[2]];
  return bytes > 0 ? bytes : undefined;
}

/** `repository:tag` or `repository@sha256:…`; `latest` and untagged references are refused. */
export const IMAGE_PATTERN = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$/;

/** Splits a validated image string into repository and tag (the digest counts as the tag). */
export function splitImage(text: string): { repository: string; tag: string } {
  const at = text.indexOf('@');
  if (at >= 0) {
    return { repository: text.slice(0, at), tag: text.slice(at + 1) };
  }
  const colon = text.lastIndexOf(':');
  return { repository: text.slice(0, colon), tag: text.slice(colon + 1) };
}

/** A Kubernetes object name (RFC 1123 label). */
export const DNS_LABEL_PATTERN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
