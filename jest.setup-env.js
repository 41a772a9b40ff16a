// Services log JSON lines; in tests only errors are worth seeing unless LOG_LEVEL says otherwise.
process.env.LOG_LEVEL ??= 'error';
