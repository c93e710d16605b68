/** Renderers for the weekly handoff-health digest: the view, Slack Block Kit, the email, the chart (SVG → PNG). */
import { CHART, digestChartSvg } from './digest-chart';
import { svgToPng } from './digest-png';
import type { DigestView } from './digest-view';

export { digestBlocks, digestFallbackText, DIGEST_BLOCK_IDS } from './digest-blocks';
export { chartAlt, digestEmail, DIGEST_CHART_CID } from './digest-email';
export { CHART, digestChartSvg } from './digest-chart';
export { ChartRenderError, svgToPng } from './digest-png';
export { digestLabels, digestView, type DigestLabels, type DigestView } from './digest-view';

/** The chart as PNG, at 1.5× its layout size so it stays sharp when Slack or a mail client zooms it. */
export function digestChartPng(view: DigestView): Promise<Buffer> {
  return svgToPng(digestChartSvg(view), { width: Math.round(CHART.width * 1.5) });
}

/** The chart's file name: the week, so a reader's downloads sort. */
export function digestChartFilename(week: string): string {
  return `handoff-health-${week}.png`;
}
