import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** A Lambda context with the fields the Node.js runtime provides, for tests and local runs. */
export function lambdaContext(options: { functionName?: string; memoryLimitInMB?: number; timeoutMs?: number } = {}): Context {
  const functionName = options.functionName ?? 'dspfn-local';
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: String(options.memoryLimitInMB ?? 1024),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${requestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
