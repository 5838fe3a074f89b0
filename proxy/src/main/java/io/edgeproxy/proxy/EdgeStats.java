package io.edgeproxy.proxy;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the HTTPS edge listener. Thread-safe. */
public final class EdgeStats {
  private final LongAdder accepted = new LongAdder();
  private final LongAdder passthrough = new LongAdder();
  private final LongAdder terminated = new LongAdder();
  private final LongAdder noApp = new LongAdder();
  private final LongAdder notTls = new LongAdder();
  private final LongAdder helloTimeouts = new LongAdder();
  private final LongAdder handshakeFailures = new LongAdder();
  private final LongAdder tunnelRefused = new LongAdder();

  void accepted() {
    accepted.increment();
  }

  void passedThrough() {
    passthrough.increment();
  }

  void terminated() {
    terminated.increment();
  }

  void noApp() {
    noApp.increment();
  }

  void notTls() {
    notTls.increment();
  }

  void helloTimedOut() {
    helloTimeouts.increment();
  }

  void handshakeFailed() {
    handshakeFailures.increment();
  }

  void tunnelRefused() {
    tunnelRefused.increment();
  }

  /** Connections accepted by the HTTPS listener. */
  public long acceptedTotal() {
    return accepted.sum();
  }

  /** Connections relayed by SNI without terminating TLS. */
  public long passthroughTotal() {
    return passthrough.sum();
  }

  /** Handshakes completed here for a routed app. */
  public long terminatedTotal() {
    return terminated.sum();
  }

  /** Handshakes completed here for a name no rule routes (421 or a clean close). */
  public long noAppTotal() {
    return noApp.sum();
  }

  /** Connections whose first bytes were no TLS ClientHello, or a malformed one: closed. */
  public long notTlsTotal() {
    return notTls.sum();
  }

  /** Connections closed for not finishing the ClientHello or handshake in time. */
  public long helloTimeoutsTotal() {
    return helloTimeouts.sum();
  }

  /** Handshakes that failed (no common protocol or cipher, bad records, client alerts). */
  public long handshakeFailuresTotal() {
    return handshakeFailures.sum();
  }

  /** Connections offering ALPN edgeproxy-tunnel, refused while device tunnels are not served. */
  public long tunnelRefusedTotal() {
    return tunnelRefused.sum();
  }
}
