// Time-series charts on uPlot: one per panel, created once and fed new data on every refresh.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLORS = ['#2454d6', '#e0662b', '#1d9a6c', '#9b3fd1', '#c2304a', '#6b7a8f'];

/**
 * A line chart in `el` of `series` ({label, dash?}) over time (seconds). update(xs, ...ys) redraws;
 * a chart with fewer than two points shows "no data yet".
 */
export function timeChart(el, { title, series, yLabel }) {
  let plot = null;
  const note = document.createElement('p');
  note.className = 'empty';
  note.textContent = 'no data yet';
  el.append(note);
  function build(data) {
    const width = Math.max(280, el.clientWidth || 480);
    plot = new uPlot({
      title,
      width,
      height: 200,
      scales: { x: { time: true } },
      axes: [{}, { label: yLabel, size: 56 }],
      series: [{}, ...series.map((s, i) => ({
        label: s.label,
        stroke: s.color || COLORS[i % COLORS.length],
        width: 2,
        dash: s.dash,
        paths: s.step ? uPlot.paths.stepped({ align: 1 }) : undefined,
        spanGaps: true,
      }))],
    }, data, el);
  }
  return {
    update(xs, ...ys) {
      const data = [xs, ...ys];
      if (xs.length < 2) {
        note.hidden = false;
        return;
      }
      note.hidden = true;
      if (!plot) build(data);
      else plot.setData(data);
    },
    destroy() {
      if (plot) plot.destroy();
    },
  };
}
