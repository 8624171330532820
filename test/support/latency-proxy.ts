/**
 * A TCP proxy on 127.0.0.1 that holds every chunk on its way to the server for a fixed time,
 * the way a database a few milliseconds away would: a request that waits for an answer pays
 * the delay once per round trip, and chunks sent back to back (a pipeline) pay it once
 * together, since each is held from its own arrival. Answers travel back at once.
 *
 * It listens and connects on 127.0.0.1 only: it stands in for a network, never reaches one.
 */

import net from 'node:net';

const LOOPBACK = '127.0.0.1';

export interface LatencyProxy {
  readonly port: number;
  close(): Promise<void>;
}

export async function startLatencyProxy(targetPort: number, delayMs: number): Promise<LatencyProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    client.setNoDelay(true);
    const upstream = net.connect({ host: LOOPBACK, port: targetPort });
    upstream.setNoDelay(true);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    // setTimeout keeps equal delays in order, so the stream's bytes stay in order.
    client.on('data', (chunk) => setTimeout(() => upstream.write(chunk), delayMs));
    client.on('end', () => setTimeout(() => upstream.end(), delayMs));
    upstream.on('data', (chunk) => client.write(chunk));
    upstream.on('end', () => client.end());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the latency proxy has no TCP port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
