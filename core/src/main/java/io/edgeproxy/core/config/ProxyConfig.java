package io.edgeproxy.core.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * The L4 proxy.
 *
 * @param listeners at least one; the first is the default listener (EDGEPROXY_LISTEN_ADDR, EDGEPROXY_APP)
 * @param connectTimeout per backend connect attempt. Default: 3 s
 * @param connectAttempts backends tried per client connection. Default: 3
 * @param ejectAfterFailures consecutive connect failures that eject a backend locally; 0 = never. Default: 3
 * @param ejectFor how long an ejection lasts. Default: 10 s
 * @param idleTimeout close after no traffic either way for this long; zero = never. Default: 1 h
 * @param drain how long shutdown waits for open connections. Default: 10 s
 * @param transport socket I/O mechanism. Default: auto
 * @param ioThreads proxy I/O threads; 0 = one per CPU. Default: 0
 * @param tcpAccessLog a line per proxied TCP connection when it closes (logger edgeproxy.access). Default: false
 */
public record ProxyConfig(
    List<ListenerConfig> listeners,
    Duration connectTimeout,
    int connectAttempts,
    int ejectAfterFailures,
    Duration ejectFor,
    Duration idleTimeout,
    Duration drain,
    Transport transport,
    int ioThreads,
    boolean tcpAccessLog) {
  public ProxyConfig {
    listeners = List.copyOf(listeners);
    if (listeners.isEmpty()) {
      throw new IllegalArgumentException("listeners: empty (expected: at least one)");
    }
    requireNonNull(connectTimeout, "connectTimeout");
    requireNonNull(ejectFor, "ejectFor");
    requireNonNull(idleTimeout, "idleTimeout");
    requireNonNull(drain, "drain");
    requireNonNull(transport, "transport");
  }

  /** Socket I/O mechanism; AUTO prefers io_uring and falls back to NIO. */
  public enum Transport {
    AUTO, IO_URING, NIO
  }

  public ProxyConfig withListeners(List<ListenerConfig> value) {
    return new ProxyConfig(value, connectTimeout, connectAttempts, ejectAfterFailures, ejectFor, idleTimeout, drain, transport, ioThreads, tcpAccessLog);
  }

  public ProxyConfig withConnectTimeout(Duration value) {
    return new ProxyConfig(listeners, value, connectAttempts, ejectAfterFailures, ejectFor, idleTimeout, drain, transport, ioThreads, tcpAccessLog);
  }

  public ProxyConfig withIdleTimeout(Duration value) {
    return new ProxyConfig(listeners, connectTimeout, connectAttempts, ejectAfterFailures, ejectFor, value, drain, transport, ioThreads, tcpAccessLog);
  }

  public ProxyConfig withDrain(Duration value) {
    return new ProxyConfig(listeners, connectTimeout, connectAttempts, ejectAfterFailures, ejectFor, idleTimeout, value, transport, ioThreads, tcpAccessLog);
  }


  public ProxyConfig withTransport(Transport value) {
    return new ProxyConfig(listeners, connectTimeout, connectAttempts, ejectAfterFailures, ejectFor, idleTimeout, drain, value, ioThreads, tcpAccessLog);
  }

  public ProxyConfig withEjection(int afterFailures, Duration duration) {
    return new ProxyConfig(listeners, connectTimeout, connectAttempts, afterFailures, duration, idleTimeout, drain, transport, ioThreads, tcpAccessLog);
  }

  public ProxyConfig withTcpAccessLog(boolean value) {
    return new ProxyConfig(listeners, connectTimeout, connectAttempts, ejectAfterFailures, ejectFor, idleTimeout, drain, transport, ioThreads, value);
  }
}
