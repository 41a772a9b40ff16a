// The OpenTelemetry SDK itself: loaded by tracing.ts only when traces are asked for.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { DataloaderInstrumentation } from '@opentelemetry/instrumentation-dataloader';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { detectResources, envDetector, hostDetector, processDetector, resourceFromAttributes, serviceInstanceIdDetector } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

const GRAPHQL_SCOPE = '@opentelemetry/instrumentation-graphql';

// Probes and scrapes come every few seconds and say nothing about a request: they would bury the traces that do.
const UNTRACED_PATHS = /^\/(health\/|metrics(\/|\?|$))/;

/**
 * Registers a tracer provider and the instrumentations for the whole process; returns its shutdown (sends what is
 * buffered). The SDK reads the standard variables itself: the exporter OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS
 * and _TIMEOUT; the batch processor OTEL_BSP_*; the provider OTEL_TRACES_SAMPLER(_ARG) and the span limits; the
 * resource OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
 */
export function startTracerProvider(serviceName: string): () => Promise<void> {
  // Attributes detected from the environment come last, so OTEL_SERVICE_NAME wins over the service's own name.
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }).merge(
    detectResources({ detectors: [processDetector, hostDetector, serviceInstanceIdDetector, envDetector] }),
  );
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new RequestSpansOnly(new BatchSpanProcessor(new OTLPTraceExporter()))] });
  // W3C traceparent (and baggage) in and out of every request; the active span follows async work (AsyncLocalStorage).
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.test(request.url ?? ''),
        // Calls made outside any request (the OTLP export itself) start no trace of their own.
        requireParentforOutgoingSpans: true,
      }),
      // The gateway's subgraph requests (undici's request()) and the subgraphs' reference checks (fetch): a client
      // span each, and the traceparent header. Readiness probes and schema checks outside a request are not traced.
      new UndiciInstrumentation({ requireParentforSpans: true }),
      // Names the server span after its route (POST /graphql). Middleware and router layers (a dozen per gateway
      // request: CORS, tokens, rate limit, body parsing...) would each be a span that says little; they are left out.
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER] }),
      // parse, validate and execute spans, and a span per resolver that does work: fields read straight off their
      // object are skipped, and the items of a list share their fields' spans (a page of 100 is not 100 times the spans).
      new GraphQLInstrumentation({ ignoreTrivialResolveSpans: true, mergeItems: true }),
      // A span per batch (one SQL query for many keys), only inside a request.
      new DataloaderInstrumentation({ requireParentSpan: true }),
      // A span per SQL statement on MySQL (SQLite, through better-sqlite3, has no instrumentation).
      new MySQL2Instrumentation(),
      // trace_id, span_id and trace_flags on every log line written while a span is active; logs stay on stdout.
      new PinoInstrumentation({ disableLogSending: true }),
    ],
  });
  return () => provider.shutdown();
}

/**
 * Passes every span on to `next` except GraphQL spans outside any request: the schemas and documents a service parses
 * as it starts (about 50 per start for the four services), each of which would be a trace of one span saying nothing.
 */
class RequestSpansOnly implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}

  onStart(...args: Parameters<SpanProcessor['onStart']>): void {
    this.next.onStart(...args);
  }

  onEnd(span: ReadableSpan): void {
    if (span.parentSpanContext === undefined && span.instrumentationScope.name === GRAPHQL_SCOPE) return;
    this.next.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}
