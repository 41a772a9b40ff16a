// Services log JSON lines; many tests provoke errors on purpose, so a test run is silent unless LOG_LEVEL asks for
// them (LOG_LEVEL=info npm test): a failing test says what failed through its assertion.
process.env.LOG_LEVEL ??= 'silent';
// Gateway and subgraphs under test share this signing secret (never used outside tests).
process.env.GATEWAY_SIGNING_SECRET ??= 'test-signing-secret-0123456789abcdef0123456789abcdef';
