/**
 * A local stand-in for the two AWS APIs dspfn reads secrets from, speaking their real wire
 * protocol (AWS JSON 1.1 over HTTP POST, `X-Amz-Target` naming the operation, SigV4-signed), so
 * the unmodified AWS SDK v3 clients can be pointed at it with their endpoint settings
 * (AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL_SSM):
 *
 *   secretsmanager.GetSecretValue  {SecretId}              → {ARN, Name, SecretString, VersionId, …}
 *   AmazonSSM.GetParameter         {Name, WithDecryption}  → {Parameter: {Name, Type, Value, …}}
 *
 * Errors are AWS's: HTTP 400 with `{"__type": "ResourceNotFoundException", "message": …}`. A
 * request whose Authorization header is not a SigV4 signature for the right service is refused
 * as AWS does (IncompleteSignatureException), so the test proves the SDK signed it. Every
 * request is recorded (operation and id, never a value) for the tests to count reads.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AwsStubRequest {
  operation: 'GetSecretValue' | 'GetParameter';
  id: string;
  region: string;
}

export interface AwsStub {
  /** http://127.0.0.1:PORT, for AWS_ENDPOINT_URL_SECRETS_MANAGER / AWS_ENDPOINT_URL_SSM. */
  url: string;
  /** Secret id (ARN or name) → SecretString. Change it to "rotate" a secret. */
  secrets: Map<string, string>;
  /** Parameter name → value. */
  parameters: Map<string, string>;
  /** Ids for which GetSecretValue / GetParameter answer AccessDeniedException. */
  denied: Set<string>;
  requests: AwsStubRequest[];
  close(): Promise<void>;
}

const TARGETS = {
  'secretsmanager.GetSecretValue': { operation: 'GetSecretValue', service: 'secretsmanager' },
  'AmazonSSM.GetParameter': { operation: 'GetParameter', service: 'ssm' },
} as const;

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(data), 'x-amzn-requestid': crypto.randomUUID() });
  res.end(data);
}

function awsError(res: http.ServerResponse, type: string, message: string): void {
  send(res, 400, { __type: type, message });
}

export async function startAwsStub(): Promise<AwsStub> {
  const stub: Omit<AwsStub, 'url' | 'close'> = { secrets: new Map(), parameters: new Map(), denied: new Set(), requests: [] };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = TARGETS[String(req.headers['x-amz-target']) as keyof typeof TARGETS];
      if (req.method !== 'POST' || !target) return awsError(res, 'UnknownOperationException', `unknown operation ${String(req.headers['x-amz-target'])}`);
      if (req.headers['content-type'] !== 'application/x-amz-json-1.1') return awsError(res, 'SerializationException', 'expected application/x-amz-json-1.1');
      // AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/secretsmanager/aws4_request, SignedHeaders=…, Signature=…
      const auth = /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/([\w-]+)\/([\w-]+)\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/.exec(String(req.headers.authorization ?? ''));
      if (!auth || auth[2] !== target.service || !req.headers['x-amz-date']) {
        return awsError(res, 'IncompleteSignatureException', `request is not SigV4-signed for ${target.service}`);
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return awsError(res, 'SerializationException', 'body is not JSON');
      }
      const region = auth[1]!;
      if (target.operation === 'GetSecretValue') {
        const id = String(body.SecretId ?? '');
        stub.requests.push({ operation: 'GetSecretValue', id, region });
        if (stub.denied.has(id)) return awsError(res, 'AccessDeniedException', `User: arn:aws:sts::123456789012:assumed-role/test is not authorized to perform: secretsmanager:GetSecretValue on resource: ${id}`);
        const value = stub.secrets.get(id);
        if (value === undefined) return awsError(res, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
        const name = id.startsWith('arn:') ? id.split(':')[6]!.replace(/-[A-Za-z0-9]{6}$/, '') : id;
        const arn = id.startsWith('arn:') ? id : `arn:aws:secretsmanager:${region}:123456789012:secret:${id}-AbCdEf`;
        return send(res, 200, { ARN: arn, Name: name, SecretString: value, VersionId: crypto.randomUUID(), VersionStages: ['AWSCURRENT'], CreatedDate: Date.now() / 1000 });
      }
      const id = String(body.Name ?? '');
      stub.requests.push({ operation: 'GetParameter', id, region });
      if (stub.denied.has(id)) return awsError(res, 'AccessDeniedException', `User: arn:aws:sts::123456789012:assumed-role/test is not authorized to perform: ssm:GetParameter on resource: ${id}`);
      const value = stub.parameters.get(id);
      if (value === undefined) return awsError(res, 'ParameterNotFound', '');
      return send(res, 200, {
        Parameter: {
          Name: id,
          Type: 'SecureString',
          Value: body.WithDecryption === true ? value : 'AQICAHencrypted==',
          Version: 1,
          LastModifiedDate: Date.now() / 1000,
          ARN: id.startsWith('arn:') ? id : `arn:aws:ssm:${region}:123456789012:parameter${id.startsWith('/') ? '' : '/'}${id}`,
          DataType: 'text',
        },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...stub,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The environment that points the AWS SDK at the stub, with throwaway credentials. */
export function awsStubEnv(stub: AwsStub, region = 'eu-west-1'): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: stub.url,
    AWS_ENDPOINT_URL_SSM: stub.url,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'AKIASTUBSTUBSTUBSTUB',
    AWS_SECRET_ACCESS_KEY: 'stub-secret-access-key',
    // The tests run on Node 20 too (Lambda runs 22): the SDK's notice about that is noise here.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}
