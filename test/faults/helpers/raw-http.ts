import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  head: string;
  body: string;
}

/**
 * Sends bytes exactly as given over a TCP connection and reads the answer until the server closes
 * (requests carry `Connection: close`), for requests no HTTP client would send: header injection,
 * smuggling attempts, lying Content-Length.
 */
export function rawHttp(url: string, request: string | Buffer, timeoutMs = 10_000): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    const finish = (error?: Error) => {
      socket.destroy();
      clearTimeout(timer);
      const received = Buffer.concat(chunks).toString('utf8');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(received);
      const [head = '', ...rest] = received.split('\r\n\r\n');
      if (match?.[1]) resolve({ status: Number(match[1]), head, body: rest.join('\r\n\r\n') });
      else reject(error ?? new Error(`no HTTP status line in answer: ${JSON.stringify(received.slice(0, 200))}`));
    };
    const timer = setTimeout(() => {
      finish(new Error('timed out waiting for an answer'));
    }, timeoutMs);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server may close (or reset) right after answering a request it rejected.
    socket.on('error', (error) => {
      finish(error);
    });
    socket.on('end', () => {
      finish();
    });
  });
}

/** An HTTP/1.1 request as text; `Content-Length` is added unless the headers set one. */
export function httpRequest(method: string, path: string, headers: Record<string, string>, body = ''): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: localhost', 'Connection: close'];
  const names = Object.keys(headers).map((name) => name.toLowerCase());
  if (body && !names.includes('content-length') && !names.includes('transfer-encoding')) {
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  }
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}
