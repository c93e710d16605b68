/**
 * The bridge's Prometheus metrics, in the text exposition format (version 0.0.4), without a client library:
 *
 *   handoff_bridge_requests_total{route,status}             requests answered
 *   handoff_bridge_outcomes_total{route,outcome}            per event or click: started, attached, duplicate,
 *                                                           signalled, updated, pending, ignored, rejected,
 *                                                           refused, unavailable
 *   handoff_bridge_request_duration_seconds{route}          latency histogram
 *   handoff_bridge_temporal_up                              1 while the probe finds Temporal reachable, else 0
 */
const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

type Labels = Record<string, string>;

/** Values read when /metrics is scraped. */
export interface BridgeGauges {
  temporalUp?: () => boolean;
}

export class BridgeMetrics {
  constructor(private readonly gauges: BridgeGauges = {}) {}

  private readonly requests = new Map<string, number>();
  private readonly outcomes = new Map<string, number>();
  private readonly latency = new Map<string, { buckets: number[]; sum: number; count: number }>();

  request(route: string, status: number, seconds: number): void {
    bump(this.requests, key({ route, status: String(status) }));
    const h = this.latency.get(route) ?? { buckets: LATENCY_BUCKETS_SECONDS.map(() => 0), sum: 0, count: 0 };
    LATENCY_BUCKETS_SECONDS.forEach((le, i) => {
      if (seconds <= le) h.buckets[i]! += 1;
    });
    h.sum += seconds;
    h.count += 1;
    this.latency.set(route, h);
  }

  outcome(route: string, outcome: string, n = 1): void {
    bump(this.outcomes, key({ route, outcome }), n);
  }

  render(): string {
    const lines: string[] = [];
    lines.push('# HELP handoff_bridge_requests_total Requests answered by the bridge, by route and HTTP status.');
    lines.push('# TYPE handoff_bridge_requests_total counter');
    for (const [k, v] of sorted(this.requests)) lines.push(`handoff_bridge_requests_total{${k}} ${v}`);
    lines.push('# HELP handoff_bridge_outcomes_total What the bridge did with each event or click.');
    lines.push('# TYPE handoff_bridge_outcomes_total counter');
    for (const [k, v] of sorted(this.outcomes)) lines.push(`handoff_bridge_outcomes_total{${k}} ${v}`);
    lines.push('# HELP handoff_bridge_request_duration_seconds Time to answer a request.');
    lines.push('# TYPE handoff_bridge_request_duration_seconds histogram');
    for (const [route, h] of [...this.latency].sort(([a], [b]) => a.localeCompare(b))) {
      const r = key({ route });
      LATENCY_BUCKETS_SECONDS.forEach((le, i) =>
        lines.push(`handoff_bridge_request_duration_seconds_bucket{${r},le="${le}"} ${h.buckets[i]}`),
      );
      lines.push(`handoff_bridge_request_duration_seconds_bucket{${r},le="+Inf"} ${h.count}`);
      lines.push(`handoff_bridge_request_duration_seconds_sum{${r}} ${h.sum}`);
      lines.push(`handoff_bridge_request_duration_seconds_count{${r}} ${h.count}`);
    }
    if (this.gauges.temporalUp) {
      lines.push('# HELP handoff_bridge_temporal_up Whether the probe last found Temporal reachable (1) or not (0).');
      lines.push('# TYPE handoff_bridge_temporal_up gauge');
      lines.push(`handoff_bridge_temporal_up ${this.gauges.temporalUp() ? 1 : 0}`);
    }
    return lines.join('\n') + '\n';
  }
}

function key(labels: Labels): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}

function bump(m: Map<string, number>, k: string, n = 1): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

function sorted(m: Map<string, number>): [string, number][] {
  return [...m].sort(([a], [b]) => a.localeCompare(b));
}
