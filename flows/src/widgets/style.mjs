// The site-wide stylesheet of the dashboard (a ui-template of scope site:style, in config.mjs).
export const STYLE = `
<style>
.cg-muted { color: #5b6675; font-size: 0.85em; }
.cg-cards { display: flex; flex-wrap: wrap; gap: 12px; }
.cg-card { width: 190px; border-radius: 6px; padding: 8px 10px; background: #f7f9fb; border-top: 6px solid #9aa5b1; }
.cg-card.cg-ok { border-top-color: #2e7d32; } .cg-card.cg-warn { border-top-color: #f9a825; }
.cg-card.cg-alarm { border-top-color: #c62828; } .cg-card.cg-none { border-top-color: #1f6feb; }
.cg-gauge { width: 100%; height: 70px; }
.cg-track { fill: none; stroke: #dde3ea; stroke-width: 12; }
.cg-fill { fill: none; stroke-width: 12; stroke: #1f6feb; }
.cg-ok .cg-fill { stroke: #2e7d32; } .cg-warn .cg-fill { stroke: #f9a825; } .cg-alarm .cg-fill { stroke: #c62828; }
.cg-tick { stroke: #222; stroke-width: 2; }
.cg-value { font-size: 1.8em; font-weight: 600; text-align: center; margin-top: -18px; }
.cg-name { font-size: 0.85em; min-height: 2.4em; }
.cg-means { display: flex; gap: 8px; justify-content: space-between; font-size: 0.8em; color: #5b6675; }
.cg-table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
.cg-table th, .cg-table td { border-bottom: 1px solid #e3e7ec; padding: 4px 6px; text-align: left; }
.cg-cell-alarm { background: #fde0e0; } .cg-cell-warn { background: #fff4d6; } .cg-cell-ok { background: #e6f4e7; }
td.cg-cell { cursor: pointer; }
.cg-legend { margin-top: 6px; display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: center; }
.cg-swatch { display: inline-block; width: 12px; height: 12px; border: 1px solid #c4ccd6; margin-right: 3px; vertical-align: middle; }
.cg-card { cursor: pointer; } .cg-card:focus-visible { outline: 2px solid #1f6feb; }
.cg-unit { font-size: 0.55em; font-weight: 400; margin-left: 3px; color: #5b6675; }
.cg-explain-backdrop { position: fixed; inset: 0; background: rgba(15, 23, 32, 0.45); z-index: 3000; display: flex; align-items: flex-start; justify-content: center; padding-top: 6vh; }
.cg-explain { position: relative; background: #fff; border-radius: 8px; padding: 16px 20px; width: min(860px, 94vw); max-height: 86vh; overflow: auto; box-shadow: 0 8px 32px rgba(0, 0, 0, 0.3); }
.cg-explain-close { position: absolute; right: 10px; top: 6px; font-size: 1.6em; line-height: 1; color: #5b6675; }
.cg-explain-value { font-size: 1.6em; font-weight: 600; }
.cg-explain h4 { margin: 12px 0 4px; }
.cg-part { margin: 2px 4px; }
.cg-card.cg-degraded { filter: grayscale(1); opacity: 0.6; } td.cg-degraded { color: #9aa5b1; font-style: italic; }
.cg-sev-critical, .cg-sev-major { color: #c62828; font-weight: 600; } .cg-sev-minor { color: #b26a00; }
.cg-form { display: grid; grid-template-columns: 150px 1fr; gap: 6px 10px; align-items: center; max-width: 560px; }
.cg-form input, .cg-form select { border: 1px solid #c4ccd6; border-radius: 4px; padding: 4px 6px; width: 100%; }
.cg-btn { background: #1f6feb; color: #fff; border-radius: 4px; padding: 4px 12px; margin: 4px 0; }
.cg-btn:disabled { background: #9aa5b1; }
.cg-secret { font-family: monospace; background: #fff4d6; padding: 6px; word-break: break-all; }
.cg-connection { margin-top: 6px; border-collapse: collapse; }
.cg-connection th { text-align: left; padding: 2px 12px 2px 0; font-weight: normal; opacity: 0.7; }
.cg-connection td { font-family: monospace; word-break: break-all; }
.cg-error { color: #c62828; } .cg-okmsg { color: #2e7d32; }
.cg-trends { display: flex; flex-wrap: wrap; gap: 12px; }
.cg-trend { width: 340px; } .cg-trend svg { width: 100%; height: 127px; background: #f7f9fb; }
.cg-axis { stroke: #8a96a3; stroke-width: 1; }
.cg-axis-label { font-size: 8px; fill: #5b6675; }
.cg-threshold { stroke: #c62828; stroke-width: 1.2; stroke-dasharray: 4 3; }
.cg-incident-band { fill: #c62828; fill-opacity: 0.14; stroke: #c62828; stroke-opacity: 0.5; stroke-width: 0.5; }
.cg-line { fill: none; stroke: #1f6feb; stroke-width: 1.5; }
.cg-grid { stroke: #dde3ea; stroke-width: 1; }
.cg-map svg { width: 100%; max-height: 420px; background: #f2f5f8; }
.cg-dot { fill: #b8c2cc; } .cg-down { fill: #c62828; }
</style>`;
