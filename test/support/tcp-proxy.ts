/** A TCP relay in front of a local server: counts connections and can cut them all, as a network failure would. */
import net from 'node:net';

export interface TcpProxy {
  port: number;
  connections(): number;
  dropAll(): void;
  close(): Promise<void>;
}

export async function tcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((client) => {
    connections++;
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined).on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const dropAll = () => sockets.forEach((s) => s.destroy());
  return {
    port,
    connections: () => connections,
    dropAll,
    close: () => {
      dropAll();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
