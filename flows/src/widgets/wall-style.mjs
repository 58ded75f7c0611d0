// The wall page's stylesheet (a ui-template of scope page:style, flows/src/wall.mjs): sized in viewport units
// so a 4K screen read from 5 m gets values over 200 px tall, and a 1080p one the same layout at half the size.
// The dashboard's app bar and navigation drawer are not drawn on this page: a wall has no one at its controls.
export const WALL_STYLE = `
.v-app-bar, .v-navigation-drawer { display: none !important; }
.v-main { padding: 0 !important; }
.cg-wall { position: fixed; inset: 0; z-index: 2000; overflow: hidden; cursor: none; display: flex; flex-direction: column;
  gap: 1.6vh; padding: 2vh 2vw; background: #05080c; color: #e6edf3; font-family: Roboto, 'DejaVu Sans', sans-serif; }
.cg-wall-top { display: flex; align-items: center; line-height: 1.25; justify-content: space-between; gap: 2vw; }
.cg-wall-scope { font-size: 3vw; font-weight: 700; letter-spacing: 0.02em; white-space: nowrap; }
.cg-wall-scope small { font-size: 0.5em; font-weight: 400; color: #8b949e; margin-left: 1vw; }
.cg-wall-updated { font-size: 1.6vw; color: #8b949e; white-space: nowrap; }
.cg-wall-steps { display: flex; flex-wrap: wrap; gap: 0.6vh 0.8vw; font-size: 1.2vw; line-height: 1.25; color: #6e7681; }
.cg-wall-step { padding: 0.2vh 0.8vw; border-radius: 999px; border: 0.15vw solid #30363d; }
.cg-wall-step.cg-wall-here { color: #05080c; background: #e6edf3; border-color: #e6edf3; }
.cg-wall-bar { height: 0.6vh; background: #161b22; border-radius: 1vh; overflow: hidden; }
.cg-wall-bar > div { height: 100%; width: 0; background: #58a6ff; animation-name: cg-wall-fill; animation-timing-function: linear; animation-fill-mode: forwards; }
@keyframes cg-wall-fill { from { width: 0; } to { width: 100%; } }
.cg-wall-tiles { flex: 1; display: grid; grid-template-columns: repeat(3, 1fr); gap: 1.6vh 1.6vw; min-height: 0; }
.cg-wall-tile { background: #0d1117; border-radius: 1vh; border-left: 0.8vw solid #6e7681; padding: 1.4vh 1.6vw;
  display: flex; flex-direction: column; justify-content: center; min-height: 0; overflow: hidden; }
.cg-wall-value { font-size: 6vw; font-weight: 700; line-height: 1; font-variant-numeric: tabular-nums; }
.cg-wall-unit { font-size: 0.5em; font-weight: 400; margin-left: 0.3vw; }
.cg-wall-name { font-size: 1.35vw; line-height: 1.25; color: #c9d1d9; margin-top: 1vh; }
.cg-wall-name b { color: #e6edf3; margin-right: 0.6vw; }
.cg-wall-note { font-size: 1.15vw; line-height: 1.25; color: #8b949e; margin-top: 0.6vh; }
.cg-wall-ok { border-left-color: #3fb950; } .cg-wall-ok .cg-wall-value { color: #3fb950; }
.cg-wall-warn { border-left-color: #f2cc60; } .cg-wall-warn .cg-wall-value { color: #f2cc60; }
.cg-wall-alarm { border-left-color: #ff6b6b; } .cg-wall-alarm .cg-wall-value { color: #ff6b6b; }
.cg-wall-none { border-left-color: #58a6ff; } .cg-wall-none .cg-wall-value { color: #e6edf3; }
.cg-wall-nodata .cg-wall-value { color: #6e7681; }
.cg-wall-degraded { border-left-color: #6e7681; filter: grayscale(1); }
.cg-wall-degraded .cg-wall-value { color: #8b949e; }
.cg-wall-degraded .cg-wall-note { color: #c9d1d9; font-style: italic; }
.cg-wall-bottom { display: flex; gap: 1.6vw; align-items: stretch; }
.cg-wall-count { background: #0d1117; border-radius: 1vh; padding: 1.2vh 1.6vw; min-width: 15vw; }
.cg-wall-count .cg-wall-value { font-size: 4.5vw; }
.cg-wall-count.cg-wall-bad .cg-wall-value { color: #ff6b6b; }
.cg-wall-count.cg-wall-good .cg-wall-value { color: #3fb950; }
.cg-wall-small { flex: 1; display: grid; grid-template-columns: repeat(auto-fit, minmax(9vw, 1fr)); gap: 1vw; }
.cg-wall-small .cg-wall-tile { padding: 1vh 1vw; border-left-width: 0.5vw; }
.cg-wall-small .cg-wall-value { font-size: 3vw; }
.cg-wall-small .cg-wall-name { font-size: 1.1vw; margin-top: 0.4vh; }
.cg-wall-small .cg-wall-note { font-size: 0.95vw; }
.cg-wall-waiting { font-size: 3vw; color: #8b949e; margin: auto; }
`;
