// A contest's final protocol (issue #13): small functions from the data to CSV and PDF bytes.
export * from './data';
export * from './csv';
export * from './pdf';
