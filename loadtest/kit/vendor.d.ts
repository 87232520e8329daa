/** parse-prometheus-text-format ships no types: the one function the sampler uses. */
declare module 'parse-prometheus-text-format' {
  export default function parsePrometheusTextFormat(text: string): unknown[];
}
