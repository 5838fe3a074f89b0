package io.edgeproxy.proxy;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;

/**
 * The access log of TCP mode (EDGEPROXY_TCP_ACCESS_LOG): one line per proxied connection when the
 * client's side closes, on logger {@code edgeproxy.access}, as HAProxy's {@code option tcplog}:
 * client, app, backend ("-" when none was reached), bytes to and from the backend, milliseconds,
 * outcome. With JSON logs each field is also a key-value pair of the line (see {@link AccessLogs}).
 * Made only when the log is on; updated on the client's event loop only.
 */
final class TcpAccessLog {
  private final long started = System.nanoTime();
  private final String client;
  private final String app;
  private String backend = "-";
  private long toBackend;
  private long fromBackend;
  private String outcome = "closed";

  private TcpAccessLog(String client, String app) {
    this.client = client;
    this.app = app;
  }

  /** The log line of {@code client}'s connection, written when it closes. */
  static TcpAccessLog of(Channel client, String app) {
    TcpAccessLog log = new TcpAccessLog(address(client), app);
    client.closeFuture().addListener(f -> log.write());
    return log;
  }

  void backend(String id) {
    backend = id;
  }

  void toBackend(long bytes) {
    toBackend += bytes;
  }

  void fromBackend(long bytes) {
    fromBackend += bytes;
  }

  /** How the connection ended, when not a plain close by either side. */
  void outcome(String value) {
    outcome = value;
  }

  private void write() {
    if (!AccessLogs.ACCESS.isInfoEnabled()) {
      return;
    }
    if (backend.equals("-") && outcome.equals("closed")) {
      outcome = "client left before a backend was reached";
    }
    long tenths = (System.nanoTime() - started) / 100_000;
    StringBuilder line = new StringBuilder(120).append(client).append(" tcp ").append(app).append(' ').append(backend)
        .append(' ').append(toBackend).append(' ').append(fromBackend).append(' ').append(tenths / 10).append('.')
        .append(tenths % 10).append(" \"");
    AccessLogs.quoted(line, outcome).append('"');
    var fields = AccessLogs.withFields();
    if (fields == null) {
      AccessLogs.ACCESS.info(line.toString());
      return;
    }
    fields.addKeyValue("client", client).addKeyValue("protocol", "tcp").addKeyValue("app", app)
        .addKeyValue("backend", backend).addKeyValue("bytes_to_backend", toBackend).addKeyValue("bytes_from_backend", fromBackend)
        .addKeyValue("ms", tenths / 10.0).addKeyValue("outcome", outcome).log(line.toString());
  }

  private static String address(Channel channel) {
    return channel.remoteAddress() instanceof InetSocketAddress a
        ? io.edgeproxy.core.geo.SocketAddresses.format(a) : String.valueOf(channel.remoteAddress());
  }
}
