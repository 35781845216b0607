// The report's look, in one stylesheet inlined into the page. Charts are styled by class here, so
// the SVG the C++ writes carries structure only.
#include "report/html_report.hpp"

namespace chokepoint::report {

std::string stylesheet() {
  return R"css(
:root {
  --ink: #1d2733; --muted: #5d6b7a; --faint: #8a96a3; --rule: #dfe3e8; --paper: #ffffff; --page: #f3f5f7;
  --fan-98: #e3edf7; --fan-90: #b6cfe8; --fan-50: #6e9fd0; --fan-median: #12395f;
  --base-90: #dadee3; --base-50: #b0b8c2; --base-median: #4b5563;
  --stress: #d9640f;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--page); color: var(--ink);
       font: 14px/1.45 "Segoe UI", "Helvetica Neue", "DejaVu Sans", Arial, sans-serif; }
main { max-width: 1380px; margin: 0 auto; padding: 20px 24px 40px; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.92em; }
h1, h2, h3, h4 { margin: 0; font-weight: 600; }
a { color: #1d5a96; }

.report-header { background: var(--fan-median); color: #fff; border-radius: 8px; padding: 18px 24px 16px; }
.report-header .kicker { margin: 0; font-size: 12px; letter-spacing: 0.08em; text-transform: uppercase; opacity: 0.75; }
.report-header h1 { font-size: 28px; margin: 2px 0 0; }
.report-header .subtitle { margin: 2px 0 12px; opacity: 0.85; }
.run-facts { display: flex; flex-wrap: wrap; gap: 6px 28px; margin: 0; }
.run-facts div { min-width: 90px; }
.run-facts dt { font-size: 11px; text-transform: uppercase; letter-spacing: 0.06em; opacity: 0.7; }
.run-facts dd { margin: 0; font-weight: 600; }

nav.sections { display: flex; flex-wrap: wrap; gap: 6px; margin: 12px 0; }
nav.sections a, nav.group-links a { text-decoration: none; background: var(--paper); border: 1px solid var(--rule);
  border-radius: 14px; padding: 3px 12px; font-size: 13px; }
nav.group-links { display: flex; flex-wrap: wrap; gap: 6px; margin: 10px 0 4px; }

.panel { background: var(--paper); border: 1px solid var(--rule); border-radius: 8px; padding: 16px 20px 18px;
         margin: 14px 0; }
.panel h2 { font-size: 19px; margin-bottom: 4px; }
.panel h3 { font-size: 15px; margin: 18px 0 8px; color: var(--fan-median); }
.lead { margin: 0 0 12px; color: var(--muted); max-width: 980px; }
.notes { background: #fff8e6; border: 1px solid #f0d58a; border-radius: 8px; padding: 10px 20px; margin: 14px 0; }
.notes h2 { font-size: 15px; }
.notes ul { margin: 4px 0; padding-left: 20px; }

table.data { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.data th, table.data td { padding: 6px 12px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
table.data thead th { font-size: 12px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted);
                      border-bottom: 2px solid var(--rule); }
table.data .num { text-align: right; }
table.data tbody th small { display: block; font-weight: 400; color: var(--muted); font-size: 12px; }
.strong { font-weight: 700; }
.muted { color: var(--muted); }

table.figures { width: 100%; border-collapse: collapse; font-size: 12px; font-variant-numeric: tabular-nums;
                 margin-top: 2px; }
table.figures th, table.figures td { padding: 2px 4px; text-align: right; border-top: 1px solid #edf0f3;
                                     white-space: nowrap; }
table.figures thead th { border-top: none; color: var(--faint); font-weight: 400; }
table.figures tbody th { text-align: left; color: var(--muted); font-weight: 600; }
table.figures td.median { font-weight: 700; color: var(--ink); }
table.figures td.mean { color: var(--faint); }
.precision { margin: 10px 0 0; padding: 8px 12px; background: #eef4fa; border-left: 3px solid var(--fan-50);
             border-radius: 4px; font-size: 13px; }

table.bottleneck-map { border-collapse: separate; border-spacing: 3px; font-variant-numeric: tabular-nums; }
table.bottleneck-map th { font-size: 12px; color: var(--muted); font-weight: 600; padding: 2px 6px; }
table.bottleneck-map thead th { text-align: center; }
table.bottleneck-map th.stage-name { text-align: right; color: var(--ink); font-size: 13px; white-space: nowrap; }
table.bottleneck-map th.stage-name small { display: block; font-weight: 400; color: var(--faint); font-size: 11px; }
td.binding-cell { width: 74px; height: 46px; text-align: center; border-radius: 4px; color: var(--ink); cursor: default; }
td.binding-cell.dark { color: #fff; }
td.binding-cell span { display: block; }
td.binding-cell .share { font-weight: 700; font-size: 14px; }
td.binding-cell .any { font-size: 11px; opacity: 0.75; }
td.binding-cell .any::before { content: "≥1×: "; }
td.likeliest { text-align: center; font-size: 12px; color: var(--muted); padding-top: 4px; }
.map-legend { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 6px; margin-top: 10px; font-size: 12px;
              color: var(--muted); }
.map-legend .swatch { display: inline-block; width: 22px; height: 14px; border-radius: 3px; border: 1px solid var(--rule); }
.map-legend .legend-title { font-weight: 600; margin-right: 4px; }
.legend-note { color: var(--faint); font-size: 12px; margin-left: 12px; }

table.thresholds .bar { display: inline-block; width: 140px; height: 10px; background: #edf0f3; border-radius: 5px;
                        overflow: hidden; vertical-align: middle; }
table.thresholds .bar span { display: block; height: 100%; background: var(--fan-50); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.badge.pass { background: #e3f4e8; color: #1e6b34; }
.badge.miss { background: #fde7e4; color: #a3271a; }
.badge.skipped { background: #eef0f2; color: var(--muted); }
td.source { color: var(--muted); font-size: 12px; max-width: 320px; }
table.calibration small.unit { display: block; color: var(--faint); font-size: 11px; }
table.calibration td.num { white-space: nowrap; }

.fan-legend { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 16px; font-size: 12px; color: var(--muted);
              margin: 4px 0; }
.fan-legend .key { display: inline-flex; align-items: center; gap: 6px; }
.variable-group { margin-top: 8px; }
.variable-group h3, .group-title { border-bottom: 1px solid var(--rule); padding-bottom: 4px; }
.group-title { font-size: 14px; margin: 16px 0 8px; color: var(--muted); }
.chart-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 10px 18px; }
section.fan-chart svg, section.compare-chart svg, section.headline-chart svg { width: 100%; height: auto; }
section.fan-chart, section.compare-chart, section.headline-chart { padding: 6px 4px 4px; }
section.fan-chart h4, section.compare-chart h4, section.headline-chart h4 { font-size: 14px; }
h4 .unit { color: var(--faint); font-weight: 400; font-size: 12px; margin-left: 4px; }
p.what { margin: 0 0 2px; color: var(--muted); font-size: 12px; }
p.reading { margin: 0; color: var(--muted); font-size: 12px; }
svg { display: block; max-width: 100%; height: auto; overflow: visible; }
svg .grid { stroke: #edf0f3; stroke-width: 1; }
svg .axis { stroke: #9aa5b1; stroke-width: 1; }
svg .tick-label { fill: var(--muted); font-size: 11px; }
svg .scale-note { fill: var(--faint); font-size: 10px; font-style: italic; }
svg .no-data { fill: var(--faint); font-size: 13px; }
svg .empty-plot { fill: #fafbfc; stroke: var(--rule); }
svg .band-98 { fill: var(--fan-98); }
svg .band-90 { fill: var(--fan-90); }
svg .band-50 { fill: var(--fan-50); }
svg .median { fill: none; stroke: var(--fan-median); stroke-width: 2.2; stroke-linejoin: round; }
svg .median-point { fill: var(--fan-median); }
svg .band-90.base { fill: var(--base-90); }
svg .band-50.base { fill: var(--base-50); }
svg .median.base { stroke: var(--base-median); }
svg .median-point.base { fill: var(--base-median); }
svg .band-90.stress { fill: rgba(232, 120, 30, 0.16); stroke: rgba(217, 100, 15, 0.75); stroke-width: 1;
                      stroke-dasharray: 4 3; }
svg .band-50.stress { fill: rgba(232, 120, 30, 0.34); }
svg .median.stress { stroke: var(--stress); }
svg .median-point.stress { fill: var(--stress); }
svg .hover-column { fill: transparent; }
svg .hover-column:hover { fill: rgba(18, 57, 95, 0.06); }

table.differences td.change { white-space: nowrap; padding: 5px 8px; }
table.differences td.change span { display: block; }
table.differences td.change .value { font-weight: 600; }
table.differences td.change .relative { font-size: 11px; color: var(--muted); }
table.differences td.change .se { font-size: 11px; color: var(--faint); }
table.differences td.noise { color: #a7b0ba; }
table.differences td.noise .value { font-weight: 400; }
table.binding-changes td.up { color: #b0321f; }
table.binding-changes td.down { color: #1f6fb0; }
table.binding-changes td.noise { color: #a7b0ba; }
details { margin: 8px 0; }
details summary { cursor: pointer; color: #1d5a96; }
p.note { color: var(--muted); font-size: 12px; }

input.pick { position: absolute; opacity: 0; pointer-events: none; }
.pick-row { display: flex; flex-wrap: wrap; align-items: center; gap: 4px; margin: 4px 0; font-size: 12px; }
.pick-row .pick-title { color: var(--muted); font-weight: 600; min-width: 64px; }
.pick-row label { cursor: pointer; border: 1px solid var(--rule); border-radius: 12px; padding: 1px 9px; background: var(--paper); }
.pick-row label:hover { border-color: var(--fan-50); }
.pick-panel { display: none; }
figure { margin: 8px 0; }
figcaption { font-size: 13px; color: var(--muted); margin-bottom: 2px; }
figcaption .unit { color: var(--faint); font-size: 12px; }
.driver-cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 10px 24px; }
.driver-card h3 { margin-top: 8px; }
.driver-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 6px 24px; }
.decile-grid { display: flex; flex-wrap: wrap; gap: 4px 16px; }
.decile-grid figure { width: 250px; }
.distribution .pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 8px 24px; max-width: 900px; }
figure.convergence, figure.difference { max-width: 560px; }
svg .tornado-label, svg .variance-label { fill: var(--ink); font-size: 12px; }
svg .variance-label.interactions, svg .variance-label.other { fill: var(--muted); font-style: italic; }
svg .tornado-low { fill: var(--fan-90); }
svg .tornado-high { fill: var(--fan-median); }
svg .tornado-axis { stroke: var(--ink); stroke-width: 1.5; }
svg .variance-bar { fill: var(--fan-50); }
svg .variance-bar.other { fill: var(--base-50); }
svg .variance-bar.interactions { fill: var(--base-90); }
svg .whisker { stroke: var(--ink); stroke-width: 1; }
svg .decile-line { fill: none; stroke: var(--stress); stroke-width: 2; }
svg .decile-point { fill: var(--stress); }
svg .decile-mean { stroke: var(--faint); stroke-dasharray: 4 3; }
svg .histogram-bar { fill: var(--fan-50); stroke: #fff; stroke-width: 0.5; }
svg .histogram-bar:hover { fill: var(--fan-median); }
svg .marker-median { stroke: var(--fan-median); stroke-width: 1.5; }
svg .marker-band { stroke: var(--fan-median); stroke-dasharray: 3 3; }
svg .cdf-line { fill: none; stroke: var(--fan-median); stroke-width: 2; }
svg .cdf-quantile { fill: var(--stress); }
svg .convergence-mean-band { fill: rgba(110, 159, 208, 0.35); }
svg .convergence-median-band { fill: rgba(232, 120, 30, 0.16); }
svg .convergence-mean { fill: none; stroke: var(--fan-median); stroke-width: 2; }
svg .convergence-median { fill: none; stroke: var(--stress); stroke-width: 1.5; stroke-dasharray: 5 3; }
svg .convergence-point { fill: var(--fan-median); }
svg .difference-band { fill: rgba(232, 120, 30, 0.22); }
svg .difference-mean { fill: none; stroke: var(--stress); stroke-width: 2; }
svg .difference-point { fill: var(--stress); }
svg .difference-zero { stroke: var(--ink); stroke-width: 1; }
footer { color: var(--faint); font-size: 12px; margin-top: 18px; text-align: center; }
@media print { body { background: #fff; } .panel { break-inside: avoid; border: none; } nav, .pick-row { display: none; } }
)css";
}

}  // namespace chokepoint::report
