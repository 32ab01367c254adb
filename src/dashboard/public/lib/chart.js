// Time-series charts with uPlot (served from node_modules by Sandpay). Each chart is a figure
// with a caption and a text summary for screen readers; the canvas itself is decorative.
import uPlot from '/dashboard/vendor/uplot.js';
import { html, useEffect, useRef } from './html.js';
import { LOCALE } from './format.js';

export const COLORS = {
  success: '#1a7f37', failed: '#cf222e', pending: '#9a6700', authorized: '#0969da', flagged: '#8250df',
  expired: '#6e7781', refunded: '#57606a', partially_refunded: '#8c959f', attempts: '#0969da', failures: '#cf222e', p95: '#8250df',
};

/** uPlot's own axis font, to measure its labels with. */
const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif';
// 24-hour "14:05": an axis of the last hour needs no AM/PM, and a short label leaves room for more ticks.
const tickTime = new Intl.DateTimeFormat(LOCALE, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/**
 * The room a time label needs, in CSS pixels: the widest this locale writes a time of day, plus a
 * gap. uPlot's default (50 px between ticks) is about as narrow as "11:45am", so labels ran together.
 */
let tickSpace = 0;
function timeTickSpace() {
  if (!tickSpace) {
    const ctx = document.createElement('canvas').getContext('2d');
    ctx.font = AXIS_FONT;
    const widest = Math.max(...[0, 10, 12, 22].map((h) => ctx.measureText(tickTime.format(new Date(2000, 0, 1, h, 58))).width));
    tickSpace = Math.ceil(widest) + 20;
  }
  return tickSpace;
}

/**
 * x: Date[] (one per bucket); series: [{ label, values, color, axis?: 'right' }]. `summary` is the
 * text alternative. Bars are stacked: each is drawn at its running total, the tallest first so the
 * ones below paint over it, and the legend shows each series' own value.
 */
export function Chart({ title, summary, x, series, height = 220, bars = false, yLabel = '', y2Label = '' }) {
  const box = useRef(null);
  const plot = useRef(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const width = Math.max(300, el.clientWidth || 600);
    const paths = bars ? uPlot.paths.bars({ size: [0.8, 20] }) : undefined;
    let acc = x.map(() => 0);
    const totals = series.map((s) => (acc = acc.map((a, i) => a + (bars ? (s.values[i] ?? 0) : 0))));
    const order = bars ? series.map((_s, i) => i).reverse() : series.map((_s, i) => i);
    const opts = {
      width,
      height,
      legend: { show: true },
      cursor: { points: { show: !bars } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] }, ...(y2Label ? { y2: { range: (_u, _min, max) => [0, Math.max(1, max)] } } : {}) },
      axes: [{ space: timeTickSpace, values: (_u, splits) => splits.map((t) => tickTime.format(new Date(t * 1000))) }, { label: yLabel, size: 50 }, ...(y2Label ? [{ scale: 'y2', side: 1, label: y2Label, grid: { show: false }, size: 60 }] : [])],
      series: [
        {},
        ...order.map((i) => series[i]).map((s) => ({
          label: s.label, stroke: s.color, width: 2, scale: s.axis === 'right' ? 'y2' : 'y',
          value: (_u, v, _si, idx) => (idx === null || idx === undefined ? (v ?? '--') : (s.values[idx] ?? '--')),
          fill: bars ? `${s.color}cc` : undefined, paths: s.axis === 'right' ? undefined : paths, spanGaps: false,
          points: { show: !bars && s.axis !== 'right' ? false : s.axis === 'right' },
        })),
      ],
    };
    const data = [x.map((d) => d.getTime() / 1000), ...order.map((i) => (bars ? totals[i] : series[i].values))];
    plot.current?.destroy();
    plot.current = new uPlot(opts, data, el);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(300, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [JSON.stringify(series.map((s) => [s.label, s.values])), x.length && x[0].getTime(), bars, height]);
  return html`<figure class="chart">
    <figcaption>${title}</figcaption>
    <div ref=${box} class="chart-box" role="img" aria-label=${`${title}. ${summary}`}></div>
  </figure>`;
}
