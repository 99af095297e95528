/**
 * report/: charts (vega-lite specs rendered to SVG/PNG in Node, shown inline in tslab notebooks) and reviewer
 * reports (a small document model rendered to self-contained HTML and, via Chromium, PDF), with per-kind
 * section builders and a generic default section.
 */
export {
  groupedBarChart, waterfallChart, lineBandChart, heatmapChart, scatterChart, withProvenance, axisTitle, digitsFor, CHART_FONT,
} from './charts.ts';
export type {
  Chart, ChartKind, VegaLiteSpec, AxisSpec, ChartCommon, BarRow, GroupedBarOptions, WaterfallInput, WaterfallOptions,
  LinePoint, LineBandOptions, HeatCell, HeatmapOptions, ScatterPoint, ScatterOptions,
} from './charts.ts';
export { renderSvg, renderPng, chartFigureHtml, showChart, scopeSvgIds, cjkTextFont, escapeHtml } from './render.ts';
export type { PngOptions, FigureOptions, NotebookDisplay } from './render.ts';
export {
  paragraph, table, chartBlock, provenanceBlock, formatCell, slug, isInterval, inlineMarkdown, markdownHtml, tableHtml,
  runProvenance, provenanceLine, provenanceHtml, runRecordsAppendix, renderReportHtml, writeReport,
} from './document.ts';
export type {
  Interval, Cell, Column, TableBlock, ParagraphBlock, ChartBlock, ProvenanceBlock, CodeBlock, Block, Section,
  ReportDocument, RunProvenance, WriteReportOptions, WrittenReport,
} from './document.ts';
export { findChromium, printPdf, CHROMIUM_NAMES } from './pdf.ts';
export type { PdfOptions } from './pdf.ts';
export {
  defaultSection, buildReport, comparisonTable, groupLabel,
} from './sections.ts';
export type { ReportContext, ReportPart, ReportSectionBuilder, BuildReportOptions, DefaultSectionOptions } from './sections.ts';
export { resolveReportRuns } from './resolve.ts';
export { barRows, bandPoints } from './aggregate.ts';
