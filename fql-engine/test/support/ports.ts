/** Local ports for tests. */

import { createServer } from 'node:net';

/**
 * A port on 127.0.0.1 that the OS just handed out and took back: free to listen on, and
 * (until someone does) a port nothing answers on.
 */
export function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
