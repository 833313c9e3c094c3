/** The metrics adapter: prom-client behind the Metrics port. */
export { createPromMetrics, type PromMetrics, type PromMetricsOptions } from "./prom-metrics";
