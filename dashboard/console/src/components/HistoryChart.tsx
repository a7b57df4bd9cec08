/**
 * A line chart of the savings history, one point per sync, drawn with Chart.js on a canvas. The
 * chart sizes the canvas through the CSSOM (element.style), which the CSP's style-src allows; an
 * inline style attribute would not be. A table with the same figures follows for screen readers.
 */
import { useEffect, useRef } from 'preact/hooks';
import {
  CategoryScale,
  Chart,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Title,
  Tooltip,
} from 'chart.js';
import type { HistoryPoint } from '../schemas.js';
import { when } from '../format.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Title, Tooltip);

export interface Series {
  key: string;
  label: string;
  color: string;
  /** Minor units shown as whole currency. */
  money?: boolean;
}

const value = (p: HistoryPoint, s: Series): number | null => {
  const v = p.totals[s.key];
  if (v === null || v === undefined) return null;
  return s.money ? v / 100 : v;
};

export function HistoryChart(props: { id: string; title: string; points: HistoryPoint[]; series: Series[] }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return undefined;
    const chart = new Chart(canvas.current, {
      type: 'line',
      data: {
        labels: props.points.map((p) => when(p.at)),
        datasets: props.series.map((s) => ({
          label: s.label,
          data: props.points.map((p) => value(p, s)),
          borderColor: s.color,
          backgroundColor: s.color,
          spanGaps: true,
        })),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { title: { display: true, text: props.title }, legend: { position: 'bottom' } },
        scales: { y: { beginAtZero: true } },
      },
    });
    return () => chart.destroy();
  }, [props.points, props.series, props.title]);
  return (
    <figure class="chart">
      <div class="chart-box">
        <canvas id={props.id} ref={canvas} role="img" aria-label={`${props.title}, one point per sync`} />
      </div>
      <figcaption>
        <details>
          <summary>{props.title}: the figures</summary>
          <table>
            <thead>
              <tr>
                <th scope="col">Sync</th>
                {props.series.map((s) => (
                  <th scope="col">{s.label}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {props.points.map((p) => (
                <tr>
                  <td>{when(p.at)}</td>
                  {props.series.map((s) => (
                    <td>{value(p, s) ?? '—'}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </figcaption>
    </figure>
  );
}
