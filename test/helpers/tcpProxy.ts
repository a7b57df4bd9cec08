/**
 * A loopback TCP proxy a test can cut and restore, to take a shared server (FerretDB) away from one
 * client without stopping it for everyone else.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './privateRedis.js';

export interface TcpProxy {
  port: number;
  /** Stops listening and drops every connection, as a crashed server would. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  /** Holds every byte in both directions, connections open: a server that stopped answering. */
  stall(): void;
  /** Delivers what was held, in order, and forwards again. */
  resume(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let stalled = false;
  let held: (() => void)[] = [];
  const forward = (from: Socket, to: Socket) =>
    from.on('data', (chunk: Buffer) => {
      if (stalled) held.push(() => to.write(chunk));
      else to.write(chunk);
    });
  let server: Server | null = null;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = connect(target.port, target.host);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        forward(client, upstream);
        forward(upstream, client);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
      server = s;
    });
  const cut = async () => {
    const s = server;
    server = null;
    for (const socket of sockets) socket.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  const stall = () => {
    stalled = true;
  };
  const resume = () => {
    stalled = false;
    const pending = held;
    held = [];
    for (const deliver of pending) deliver();
  };
  return { port, cut, restore: listen, stall, resume, close: cut };
}
