/** A TCP relay in front of a local server: counts connections and can cut them all, as a network failure would. */
import net from 'node:net';

export interface TcpProxy {
  port: number;
  connections(): number;
  dropAll(): void;
  /** Stops carrying bytes either way without closing anything, as a link that hangs does. */
  freeze(): void;
  close(): Promise<void>;
}

export async function tcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  let frozen = false;
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
    const relay = (from: net.Socket, to: net.Socket) => from.on('data', (d) => {
      if (!frozen) to.write(d);
    });
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const dropAll = () => sockets.forEach((s) => s.destroy());
  return {
    port,
    connections: () => connections,
    dropAll,
    freeze: () => void (frozen = true),
    close: () => {
      dropAll();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
