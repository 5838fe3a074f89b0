package io.edgeproxy.core.testing.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link DelayRelay#tcp}: an accept loop on a virtual thread; each accepted socket becomes a
 * {@link TcpRelayConnection} with its own upstream connection and two delay lines.
 */
final class TcpDelayRelay implements DelayRelay {
  private final ServerSocketChannel server;
  private final InetSocketAddress address;
  private final InetSocketAddress target;
  private final Duration delay;
  private final Set<TcpRelayConnection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private volatile boolean closed;

  TcpDelayRelay(InetSocketAddress bind, InetSocketAddress target, Duration delay) throws IOException {
    this.target = target;
    this.delay = delay;
    this.server = ServerSocketChannel.open().bind(bind);
    this.address = (InetSocketAddress) server.getLocalAddress();
    Thread.ofVirtual().name("tcp-relay-" + address.getPort() + "-accept").start(this::acceptLoop);
  }

  @Override
  public InetSocketAddress address() {
    return address;
  }

  @Override
  public RelayCounters counters() {
    return new RelayCounters(0, bytes.get(), 0, accepted.get());
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // The listening socket holds no data; nothing to do.
    }
    connections.forEach(TcpRelayConnection::abort);
  }

  private void acceptLoop() {
    while (!closed) {
      SocketChannel client;
      try {
        client = server.accept();
      } catch (IOException e) {
        close(); // Closed, or the listening socket broke: either way no more connections.
        return;
      }
      accepted.incrementAndGet();
      TcpRelayConnection connection = new TcpRelayConnection(client, target, delay, bytes, connections::remove);
      connections.add(connection);
      if (closed) {
        connection.abort();
      } else {
        Thread.ofVirtual().name("tcp-relay-" + address.getPort() + "-conn").start(connection::run);
      }
    }
  }
}
