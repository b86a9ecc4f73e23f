// Vega-Lite specs of the dashboard's plots, from the API's rows. Rendered by vega-embed in the page.

const schema = 'https://vega.github.io/schema/vega-lite/v6.json';

/**
 * A y value against % of weights remaining (log axis, dense on the left as in the LTH paper), one series per
 * `series`, the mean over replicates as a line and the min–max spread as a band.
 * rows: {series, density, value}
 */
export function againstDensity(rows, yTitle, yFormat) {
  const x = {
    field: 'remaining',
    type: 'quantitative',
    title: '% of weights remaining',
    scale: { type: 'log', reverse: true },
    axis: { values: [100, 51.3, 21.1, 7, 3.6, 1.4, 0.5, 0.2] },
  };
  const values = rows.map((r) => ({ ...r, remaining: 100 * r.density }));
  const color = { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom' } };
  return {
    $schema: schema,
    width: 'container',
    height: 260,
    data: { values },
    layer: [
      {
        mark: { type: 'area', opacity: 0.2 },
        encoding: {
          x,
          y: { aggregate: 'min', field: 'value', type: 'quantitative', title: yTitle, axis: { format: yFormat } },
          y2: { aggregate: 'max', field: 'value' },
          color,
        },
      },
      {
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: {
            aggregate: 'mean',
            field: 'value',
            type: 'quantitative',
            title: yTitle,
            scale: { zero: false },
            axis: { format: yFormat },
          },
          color,
          tooltip: [
            { field: 'series', type: 'nominal' },
            { field: 'remaining', type: 'quantitative', title: '% remaining', format: '.2f' },
            { aggregate: 'mean', field: 'value', type: 'quantitative', title: 'mean', format: yFormat },
            { aggregate: 'count', type: 'quantitative', title: 'replicates' },
          ],
        },
      },
    ],
  };
}

/** Test accuracy against training step, one line per series. rows: {series, step, test_accuracy} */
export function curves(rows) {
  return {
    $schema: schema,
    width: 'container',
    height: 260,
    data: { values: rows },
    mark: { type: 'line' },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'training iteration' },
      y: {
        field: 'test_accuracy',
        type: 'quantitative',
        title: 'test accuracy',
        scale: { zero: false },
        axis: { format: '.1%' },
      },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom' } },
    },
  };
}

/** Density of every layer at one level. rows: {layer, density} */
export function layerBars(rows) {
  return {
    $schema: schema,
    width: 'container',
    height: { step: 22 },
    autosize: { type: 'fit-x', contains: 'padding' },
    data: { values: rows },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'layer', type: 'nominal', sort: null, title: null },
      x: {
        field: 'density',
        type: 'quantitative',
        title: 'fraction of weights kept',
        scale: { domain: [0, 1] },
        axis: { format: '%' },
      },
    },
  };
}
