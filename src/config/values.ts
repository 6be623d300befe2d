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

/**
 * The longest duration Prometheus, Alertmanager, Loki and Go itself accept: a Go `time.Duration` is
 * int64 nanoseconds (about 292 years); Prometheus refuses a longer one as "duration out of range".
 */
export const MAX_DURATION_MS = Math.floor(Number(2n ** 63n - 1n) / 1e6);

/** Kubernetes label values and qualified names (keys), as the API server validates them. */
const LABEL_NAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const DNS_SUBDOMAIN = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const LABEL_VALUE_PATTERN = new RegExp(`^(${LABEL_NAME})?$`);
const LABEL_KEY_PATTERN = new RegExp(`^(${DNS_SUBDOMAIN}/)?${LABEL_NAME}$`);
/** Whether `key` is a Kubernetes label key: an optional DNS-subdomain prefix (≤ 253) and a name (≤ 63). */
export function isLabelKey(key: string): boolean {
  if (!LABEL_KEY_PATTERN.test(key)) return false;
  const slash = key.indexOf('/');
  return (slash < 0 ? key : key.slice(slash + 1)).length <= 63 && (slash < 0 || slash <= 253);
}
/** Whether `value` is a Kubernetes label value (≤ 63 characters, may be empty). */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE_PATTERN.test(value);
}

/** A host name (RFC 1123, letters of either case) or an IPv4 address: what may follow `host` in a config file. */
export const HOST_PATTERN = /^(?=.{1,253}$)[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*$/;

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

/** Phases of a federated round that each wait up to `fl.roundTimeout`: fit and evaluate. */
const PHASES_PER_ROUND = 2;

/** `fl.roundTimeout` (a validated duration) in seconds. */
export function roundTimeoutSeconds(roundTimeout: string): number {
  return parseDuration(roundTimeout)! / 1000;
}

/** The longest legal federated round, seconds: every phase waiting its full `fl.roundTimeout`. */
export function maxRoundSeconds(roundTimeout: string): number {
  return PHASES_PER_ROUND * roundTimeoutSeconds(roundTimeout);
}
