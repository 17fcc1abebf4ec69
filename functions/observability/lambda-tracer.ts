// The X-Ray Tracer's constructor, in a module of its own that telemetry.ts requires inside Lambda
// only: loading it loads the X-Ray SDK, whose cls-hooked hooks every promise. Its import is static
// so that the bundle takes the Tracer's ESM build, sharing Powertools commons with the Logger's.
import { Tracer } from '@aws-lambda-powertools/tracer';

export const newTracer = (serviceName: string): Tracer => new Tracer({ serviceName });
