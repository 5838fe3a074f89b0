package io.edgeproxy.tunnel;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device side ({@code edgeproxy tunnel run}): keeps tunnels from this device to the nearest
 * {@link Settings#keep} POPs of those it is given, and serves every stream a POP opens by
 * connecting to the local app ({@link Settings#target}).
 *
 * <p>Every POP is tried at start and then re-probed every {@link #PROBE_EVERY_MS}; the round-trip
 * times the control stream's pings measure rank them, and tunnels beyond the nearest {@code keep}
 * are closed once idle. A tunnel that fails or goes silent ({@link Settings#idleTimeoutMs}) is
 * retried with jittered exponential backoff capped at {@link #MAX_BACKOFF_MS}, the POP's name
 * resolved again each time; meanwhile the next-nearest POP is used. A POP that says GOAWAY is
 * replaced before its tunnel closes.
 */
public final class TunnelAgent implements AutoCloseable {
  static final long MAX_BACKOFF_MS = 30_000;
  static final long PROBE_EVERY_MS = 60_000;
  private static final long TICK_MS = 250;
  private static final Logger logger = LoggerFactory.getLogger(TunnelAgent.class);

  /**
   * @param pops each POP's tunnel address, {@code host:port}
   * @param trust certificates the POPs' must chain to; null for the JDK's default trust store
   */
  public record Settings(String app, String agentId, String token, InetSocketAddress target, List<String> pops,
      @Nullable List<X509Certificate> trust, int keep, long idleTimeoutMs, long pingEveryMs, int maxStreams, int fallbackPort,
      Transport transport) {
    /** The TCP fallback's default port: the HTTPS edge's. */
    public static final int DEFAULT_FALLBACK_PORT = 443;

    public Settings(String app, String agentId, String token, InetSocketAddress target, List<String> pops,
        @Nullable List<X509Certificate> trust, int keep, long idleTimeoutMs, long pingEveryMs, int maxStreams) {
      this(app, agentId, token, target, pops, trust, keep, idleTimeoutMs, pingEveryMs, maxStreams, DEFAULT_FALLBACK_PORT);
    }

    public Settings(String app, String agentId, String token, InetSocketAddress target, List<String> pops,
        @Nullable List<X509Certificate> trust, int keep, long idleTimeoutMs, long pingEveryMs, int maxStreams, int fallbackPort) {
      this(app, agentId, token, target, pops, trust, keep, idleTimeoutMs, pingEveryMs, maxStreams, fallbackPort, Transport.AUTO);
    }

    public Settings {
      pops = List.copyOf(pops);
      java.util.Objects.requireNonNull(transport, "transport");
      if (transport == Transport.TCP && fallbackPort == 0) {
        throw new IllegalArgumentException("--transport tcp needs a --fallback-port (the POPs' HTTPS edge port)");
      }
      if (fallbackPort < 0 || fallbackPort > 65_535) {
        throw new IllegalArgumentException("fallback port " + fallbackPort + " (expected: 1-65535, or 0 for no TCP fallback)");
      }
      if (pops.isEmpty()) {
        throw new IllegalArgumentException("no POP given (expected: --pops HOST:PORT[,HOST:PORT...])");
      }
      if (keep < 1) {
        throw new IllegalArgumentException("keep: " + keep + " (expected: >= 1)");
      }
    }

    public Settings withKeep(int value) {
      return new Settings(app, agentId, token, target, pops, trust, value, idleTimeoutMs, pingEveryMs, maxStreams, fallbackPort,
          transport);
    }

    /** The port of the POPs' HTTPS edge, where the TCP fallback goes; 0 for none. */
    public Settings withFallbackPort(int value) {
      return new Settings(app, agentId, token, target, pops, trust, keep, idleTimeoutMs, pingEveryMs, maxStreams, value, transport);
    }
  }

  /** How an agent reaches its POPs. */
  public enum Transport {
    /** QUIC, and TCP on the fallback port when no QUIC handshake completes. */
    AUTO,
    /** QUIC only. */
    QUIC,
    /** TCP+TLS to the fallback port only (networks whose UDP is blocked or unreliable). */
    TCP
  }

  private final Settings settings;
  private final EventLoopGroup group;
  private final EventLoopGroup apps;
  private final QuicSslContext ssl;
  private final SslContext tcpSsl;
  private final LongSupplier clockMs;
  private final List<PopLink> links = new ArrayList<>();
  private final ScheduledFuture<?> ticker;
  private volatile boolean closed;

  private TunnelAgent(Settings settings, LongSupplier clockMs) {
    this.settings = settings;
    this.clockMs = clockMs;
    this.group = UdpTransport.group("tunnel-agent");
    this.apps = UdpTransport.appGroup("tunnel-app");
    QuicSslContextBuilder builder = QuicSslContextBuilder.forClient().applicationProtocols(TunnelWire.ALPN);
    if (settings.trust() != null) {
      builder.trustManager(settings.trust().toArray(X509Certificate[]::new));
    }
    this.ssl = builder.build();
    this.tcpSsl = TcpTunnels.clientContext(settings.trust());
    for (String pop : settings.pops()) {
      links.add(new PopLink(this, PopLink.parse(pop)));
    }
    this.ticker = group.next().scheduleWithFixedDelay(this::tick, 0, TICK_MS, TimeUnit.MILLISECONDS);
  }

  /** Starts keeping tunnels; returns at once. */
  public static TunnelAgent start(Settings settings) {
    return new TunnelAgent(settings, System::currentTimeMillis);
  }

  Settings settings() {
    return settings;
  }

  /** The loop of the QUIC and TCP tunnels and of this agent's own timers. */
  EventLoopGroup group() {
    return group;
  }

  /** The loop of the connections to the app. */
  EventLoopGroup apps() {
    return apps;
  }

  QuicSslContext ssl() {
    return ssl;
  }

  SslContext tcpSsl() {
    return tcpSsl;
  }

  long nowMs() {
    return clockMs.getAsLong();
  }

  boolean isClosed() {
    return closed;
  }

  /** A link went down (not by our choice): fill its place now rather than at the next tick. */
  void linkLost() {
    if (!closed) {
      group.next().execute(this::tick);
    }
  }

  /** The state of every POP link, nearest first. */
  public List<PopLink.View> links() {
    return links.stream().map(PopLink::view).sorted(Comparator.comparingLong(v -> v.rttNanos() < 0 ? Long.MAX_VALUE : v.rttNanos()))
        .toList();
  }

  /** The number of tunnels up (welcomed and not told to go away). */
  public int tunnelsUp() {
    return (int) links.stream().filter(PopLink::serving).count();
  }

  private void tick() {
    if (closed) {
      return;
    }
    try {
      long now = nowMs();
      long serving = links.stream().filter(l -> l.serving() || l.connecting()).count();
      // Fill up to keep: the nearest links that are down and not backing off, unknown distances last.
      List<PopLink> down = links.stream().filter(l -> l.idle() && l.mayTry(now))
          .sorted(Comparator.comparingLong(PopLink::rankRtt)).toList();
      for (PopLink link : down) {
        if (serving < settings.keep() || link.dueForProbe(now)) {
          link.connect();
          serving++;
        }
      }
      trim();
    } catch (RuntimeException e) {
      logger.warn("tunnel agent tick failed: {}", e.toString());
    }
  }

  /** Closes idle tunnels beyond the nearest {@code keep}, once every serving tunnel has a distance. */
  private void trim() {
    List<PopLink> serving = links.stream().filter(PopLink::serving).toList();
    if (serving.size() <= settings.keep() || serving.stream().anyMatch(l -> l.rttNanos() < 0)) {
      return;
    }
    List<PopLink> ranked = serving.stream().sorted(Comparator.comparingLong(PopLink::rttNanos)).toList();
    for (PopLink extra : ranked.subList(settings.keep(), ranked.size())) {
      if (extra.openStreams() == 0) {
        extra.retire("a nearer POP is up");
      }
    }
  }

  static long backoffMs(int attempts) {
    long base = Math.min(MAX_BACKOFF_MS, 1000L << Math.min(attempts - 1, 15));
    return (long) (base * (0.5 + ThreadLocalRandom.current().nextDouble() * 0.5));
  }

  @Override
  public void close() {
    closed = true;
    ticker.cancel(false);
    links.forEach(PopLink::close);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    apps.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
