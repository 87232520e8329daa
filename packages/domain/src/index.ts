export * from './iin';
export * from './phone';
