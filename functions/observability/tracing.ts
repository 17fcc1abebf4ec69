// X-Ray subsegments for the AWS calls worth seeing in a trace: every call of STS, Organizations
// and DynamoDB (a few per step), and a sample of KMS's (a scan makes thousands; a trace of them
// all is no use and costs). Outside Lambda there is no tracer and clients are left as they are.
import type { InitializeHandler, InitializeHandlerArguments, HandlerExecutionContext, MiddlewareStack } from '@smithy/types';
import { tracer } from './telemetry';

/** One KMS call in this many gets a subsegment (the first one always). */
export const KMS_TRACE_EVERY = 100;

/** The client with a subsegment for each call. */
export function traced<C extends object>(client: C): C {
  return tracer()?.captureAWSv3Client(client) ?? client;
}

/** The client with a subsegment for one call in `every` (the first included), across all its calls. */
export function sampledTraced<C extends { middlewareStack: MiddlewareStack<any, any> }>(client: C, every: number = KMS_TRACE_EVERY): C {
  const lambdaTracer = tracer();
  if (!lambdaTracer?.isTracingEnabled()) return client;
  let calls = 0;
  client.middlewareStack.add(
    (next: InitializeHandler<any, any>, context: HandlerExecutionContext) => async (args: InitializeHandlerArguments<any>) => {
      const parent = lambdaTracer.getSegment();
      if (!parent || calls++ % every !== 0) return next(args);
      const subsegment = parent.addNewSubsegment(`KMS.${String(context.commandName ?? 'call').replace(/Command$/, '')}`);
      subsegment.addAnnotation('sampledOneIn', every);
      try {
        return await next(args);
      } catch (error) {
        subsegment.addError(error as Error);
        throw error;
      } finally {
        subsegment.close();
      }
    },
    { step: 'initialize', name: 'kmsRotorSampledTrace' },
  );
  return client;
}
