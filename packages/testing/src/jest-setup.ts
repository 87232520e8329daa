// Runs before every test file: quiet logs unless asked, test mode for config.
process.env.NODE_ENV ??= 'test';
process.env.LOG_LEVEL ??= 'silent';
