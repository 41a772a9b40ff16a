import { isSpanContextValid, trace, TraceFlags } from '@opentelemetry/api';

/** How long stopping waits, at most, for the last spans to be sent. */
export const TRACING_SHUTDOWN_MS = 2_000;

let stopProvider: (() => Promise<void>) | undefined;

/**
 * Whether the environment asks for traces: an OTLP endpoint is set (`OTEL_EXPORTER_OTLP_ENDPOINT`, or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` for traces alone) and `OTEL_SDK_DISABLED` is not `true`.
 */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/**
 * Starts OpenTelemetry tracing for this process when the environment asks for it (see `tracingRequested`): spans
 * of the service named `serviceName` (`OTEL_SERVICE_NAME` overrides) are batched and sent over OTLP/HTTP. The
 * instrumentations patch http, express, graphql, dataloader, mysql2 and pino when they are loaded, so this must run
 * before the service loads any of them (runService calls it before `start`). Without an endpoint the SDK is not even
 * loaded: the service runs as if this did not exist. Resolves with whether tracing is on; a second call changes nothing.
 */
export async function startTracing(serviceName: string): Promise<boolean> {
  if (stopProvider) return true;
  if (!tracingRequested()) return false;
  const { startTracerProvider } = await import('./tracing-sdk.js');
  stopProvider = startTracerProvider(serviceName);
  return true;
}

/** Sends the spans still buffered and stops tracing, waiting `timeoutMs` at most (an unreachable collector must not hold up a stop). */
export async function stopTracing(timeoutMs = TRACING_SHUTDOWN_MS): Promise<void> {
  const stop = stopProvider;
  stopProvider = undefined;
  if (!stop) return;
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  await Promise.race([stop().catch(() => undefined), bound]);
  clearTimeout(timer);
}

/** The trace id of the work running here, when it is traced and sampled (so the id leads to a trace a collector received). */
export function activeTraceId(): string | undefined {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !isSpanContextValid(context) || (context.traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
  return context.traceId;
}

/** `error` with `extensions.traceId` when the work running here is traced, so an error a user reports leads to its trace. */
export function withTraceId<T extends { readonly extensions?: Readonly<Record<string, unknown>> }>(error: T): T {
  const traceId = activeTraceId();
  return traceId === undefined ? error : { ...error, extensions: { ...error.extensions, traceId } };
}
