// Services log JSON lines; in tests only errors are worth seeing unless LOG_LEVEL says otherwise.
process.env.LOG_LEVEL ??= 'error';
// Gateway and subgraphs under test share this signing secret (never used outside tests).
process.env.GATEWAY_SIGNING_SECRET ??= 'test-signing-secret-0123456789abcdef0123456789abcdef';
