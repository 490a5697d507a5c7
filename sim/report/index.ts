// The simulator's HTML report: public surface.
export { renderReport, type SimReportInput } from './render.js';
export { ReportInputError } from './errors.js';
