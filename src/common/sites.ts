/** Facts about the sites' metrics agents shared by the agent (vmagent) and the central alerts on it. */

/**
 * The longest an agent waits between two attempts to send what the central store refused or did
 * not answer: once the store is back, a site's queued data arrives within this (plus a flush).
 */
export const AGENT_RETRY_MAX_INTERVAL = '30s';
