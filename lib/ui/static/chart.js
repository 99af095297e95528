// Renders a vega-lite spec built on the server by lib/report/charts.ts (the same builders as the reports)
// with vega's own View, to SVG, and notes how many data points it plots (data-points) for tests and a11y.
export async function renderChart(el, spec) {
  const { spec: vgSpec } = vegaLite.compile(spec);
  const old = el.__view;
  const box = document.createElement('div');
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'svg', container: box, hover: true });
  await view.runAsync();
  el.replaceChildren(box);
  old?.finalize();
  el.__view = view;
  el.dataset.points = String(spec.data?.values?.length ?? 0);
  return view;
}
