module.exports = require('../jest.base.js')(__dirname, { testMatch: ['<rootDir>/**/*.e2e.ts', '<rootDir>/**/*.test.ts'] });
