package io.edgeproxy.tools.tunnel;

import io.edgeproxy.core.geo.ClientLocation;
import io.edgeproxy.core.geo.ClientLocator;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.RoutingState;
import io.edgeproxy.proxy.TunnelFallback;
import io.edgeproxy.proxy.TunnelStreams;
import io.edgeproxy.sql.ApiTokens;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.sql.TunnelRows;
import io.edgeproxy.tools.tls.TlsContexts;
import io.edgeproxy.replication.Replicator;
import io.edgeproxy.tunnel.RelayWire;
import io.edgeproxy.tunnel.Tunnel;
import io.edgeproxy.tunnel.TunnelEvents;
import io.edgeproxy.tunnel.TunnelServer;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device tunnels a POP holds: the QUIC tunnel listener and the TCP fallback the HTTPS edge hands
 * over, the {@code tunnels} rows that tell every
 * POP where each tunnel ends (written when a tunnel comes and goes, leases renewed every
 * {@link #RENEW_EVERY}, rows of dead POPs swept), and the streams the proxy opens through them.
 * Database writes run on their own thread, never on the tunnels' I/O thread. A tunnel another POP
 * holds is reached through that POP (replication's relay connections, {@link RelayWire}).
 */
public final class PopTunnels implements TunnelStreams, TunnelFallback, AutoCloseable {
  /** A tunnel row's lease: renewed every RENEW_EVERY, so a POP killed or cut off stops routing to its tunnels after LEASE. */
  static final Duration LEASE = Duration.ofSeconds(10);
  static final Duration RENEW_EVERY = Duration.ofSeconds(3);
  /** Rows whose lease ended this long ago are removed by any POP. */
  static final Duration FORGET_AFTER = Duration.ofMinutes(10);
  private static final long GOAWAY_GRACE_MS = 1_000;
  private static final Logger logger = LoggerFactory.getLogger(PopTunnels.class);

  private final String pop;
  private final TunnelRows rows;
  private final RoutingState state;
  private final ClientLocator locator;
  private final Runnable reload;
  private final EventLoopGroup group;
  private final ScheduledExecutorService writer;
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong misbehaved = new AtomicLong();
  private @Nullable TunnelServer server;
  private SslContext tcpTls;
  private volatile @Nullable Replicator relays;
  private volatile boolean sweepOthers = true;

  private PopTunnels(String pop, RoutingDb db, RoutingState state, ClientLocator locator, Runnable reload) {
    this.pop = pop;
    this.rows = new TunnelRows(db);
    this.state = state;
    this.locator = locator;
    this.reload = reload;
    this.group = TunnelServer.newGroup("tunnel-io");
    this.writer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tunnel-rows");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Binds the tunnel listener on {@code listen} with the certificate {@code served}, tokens checked
   * against routing.db's {@code api_tokens}.
   *
   * @param pop this POP's node id, written into the rows of the tunnels it holds
   */
  public static PopTunnels start(InetSocketAddress listen, TlsContexts.Served served, String pop, RoutingDb db, RoutingState state,
      ClientLocator locator, Runnable reload, @Nullable Replicator relays) {
    return start(new TunnelServer.Socket(listen, new java.security.SecureRandom().nextInt(256), false), served, pop, db, state,
        locator, reload, relays);
  }

  /**
   * As above, on {@code socket}: taking over, it joins the running process's port with the next
   * generation of connection ids, and leaves the running process's rows alone ({@link #sweepOthers}).
   */
  public static PopTunnels start(TunnelServer.Socket socket, TlsContexts.Served served, String pop, RoutingDb db,
      RoutingState state, ClientLocator locator, Runnable reload, @Nullable Replicator relays) {
    PopTunnels tunnels = new PopTunnels(pop, db, state, locator, reload);
    tunnels.relays = relays;
    tunnels.sweepOthers = !socket.join();
    try {
      ApiTokens tokens = new ApiTokens(db);
      tunnels.server = TunnelServer.bind(tunnels.group, socket, served.key(), served.chain(), pop,
          (app, token) -> refusal(tokens.scopeOf(token), app), tunnels.events(), TunnelServer.Limits.defaults(),
          System::currentTimeMillis);
      tunnels.tcpTls = tunnels.server.tcpTls();
    } catch (RuntimeException e) {
      tunnels.close();
      throw e;
    }
    long renew = RENEW_EVERY.toMillis();
    tunnels.writer.scheduleWithFixedDelay(tunnels::upkeep, 0, renew, TimeUnit.MILLISECONDS);
    return tunnels;
  }

  /** Why a token whose scope is {@code scope} may not serve {@code app}, or null when it may. */
  static @Nullable String refusal(Optional<String> scope, String app) {
    if (scope.isEmpty()) {
      return "unknown token (expected: an API token of app " + app + ", see edgeproxy token create)";
    }
    String s = scope.get();
    return s.equals(app) || s.equals(ApiTokens.ADMIN) ? null : "the token is for app " + s + ", not " + app;
  }

  /** From now on other POPs' streams to tunnels held here come over {@code value}'s relay links. */
  public void useRelays(Replicator value) {
    relays = value;
  }

  /**
   * Whether upkeep removes this POP's rows of tunnels this process does not hold: not while another
   * process of this POP holds tunnels too (from the hand-over's start until the old process exits).
   */
  public void sweepOthers(boolean value) {
    sweepOthers = value;
  }

  /** The first byte of this listener's QUIC connection ids, or -1 when it is closed. */
  public int generation() {
    TunnelServer s = server;
    return s == null ? -1 : s.generation();
  }

  /** See {@link TunnelServer#steerNewConnectionsAway()}; null when in force, else why not. */
  public @Nullable String steerNewConnectionsAway() {
    TunnelServer s = server;
    return s == null ? "closed" : s.steerNewConnectionsAway();
  }

  /** See {@link TunnelServer#moveAgents}: the agents (over QUIC, or over TCP) asked to reconnect to the process taking over. */
  public int moveAgents(boolean quic) {
    TunnelServer s = server;
    return s == null ? 0 : s.moveAgents(quic);
  }

  /** Runs a row write on the writer thread; after {@link #close} (which removes this POP's rows itself) not at all. */
  private void later(String what, Runnable write) {
    try {
      writer.execute(() -> write(what, write));
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      logger.debug("tunnel rows: {} skipped, shutting down", what);
    }
  }

  private TunnelEvents events() {
    return new TunnelEvents() {
      @Override
      public void connected(Tunnel t) {
        logger.info("{} connected", t);
        later("record", () -> rows.connected(row(t)));
      }

      @Override
      public void disconnected(Tunnel t) {
        logger.info("{} closed after {} streams", t, t.streamsOpened());
        later("remove", () -> rows.disconnected(t.id()));
      }

      @Override
      public void refused(SocketAddress agent, String reason) {
        refused.incrementAndGet();
        logger.warn("tunnel agent at {} refused: {}", agent, reason);
      }

      @Override
      public void misbehaved(SocketAddress agent, String reason) {
        misbehaved.incrementAndGet();
        logger.warn("tunnel agent at {} disconnected: {}", agent, reason);
      }
    };
  }

  private TunnelRows.Row row(Tunnel t) {
    ClientLocation where = locator.locate(t.remote().getAddress(), state.current().regions());
    String region = where.region() != null ? where.region() : state.current().popRegion();
    long now = System.currentTimeMillis();
    return new TunnelRows.Row(t.id(), t.app(), t.agent(), pop, t.remote().getAddress().getHostAddress(), t.remote().getPort(),
        region, where.country(), t.sinceMs(), now + LEASE.toMillis());
  }

  private void write(String what, Runnable write) {
    try {
      write.run();
      reload.run();
    } catch (RuntimeException e) {
      logger.warn("cannot {} a tunnels row in routing.db (kept serving; retried by the next renewal): {}", what, e.getMessage());
    }
  }

  /** Renews the leases of the tunnels held here; removes rows of tunnels no longer held and long-expired rows. */
  private void upkeep() {
    TunnelServer s = server;
    if (s == null) {
      return;
    }
    try {
      List<Tunnel> open = s.tunnels().stream().filter(Tunnel::isOpen).toList();
      List<String> held = open.stream().map(Tunnel::id).toList();
      long now = System.currentTimeMillis();
      if (rows.renew(pop, held, now + LEASE.toMillis()) < held.size()) {
        open.forEach(t -> rows.connected(row(t))); // a row a failed write or a hand edit lost: written whole again
      }
      long forgetBefore = now - FORGET_AFTER.toMillis();
      // While two processes of this POP hold tunnels (a hand-over), neither removes the other's rows.
      if ((sweepOthers ? rows.sweep(pop, held, forgetBefore) : rows.forgetExpired(forgetBefore)) > 0) {
        reload.run();
      }
    } catch (RuntimeException e) {
      logger.warn("cannot renew the tunnels' leases in routing.db (retried in {} s): {}", RENEW_EVERY.toSeconds(), e.getMessage());
    }
  }

  @Override
  public Future<Channel> open(Backend backend) {
    Backend.TunnelEnd end = backend.tunnel();
    TunnelServer s = server;
    if (end == null || s == null) {
      return ImmediateEventExecutor.INSTANCE.newFailedFuture(new IllegalStateException(backend.id() + " is not a tunnel"));
    }
    Optional<Tunnel> local = s.tunnel(end.tunnelId());
    if (local.isPresent()) {
      return local.get().openStream();
    }
    if (end.pop().equals(pop)) {
      // A row of this POP that this process does not hold: the other process's during a hand-over
      // (or one just closed). Any tunnel of the same app held here serves the same app.
      Optional<Tunnel> sameApp = s.tunnels().stream().filter(t -> t.isOpen() && t.app().equals(backend.app()))
          .min(java.util.Comparator.comparingInt(Tunnel::openStreams));
      if (sameApp.isPresent()) {
        return sameApp.get().openStream();
      }
    }
    Replicator r = relays;
    if (r == null || end.pop().equals(pop)) {
      return ImmediateEventExecutor.INSTANCE.newFailedFuture(new IllegalStateException("tunnel " + end.tunnelId() + " is held by POP "
          + end.pop() + (end.pop().equals(pop) ? " (this POP: it has just closed)" : ", and this POP does not replicate")));
    }
    // Held by another POP: a stream to it over the POPs' mutual-TLS relay connection, then into the tunnel.
    return RelayWire.open(r.openRelay(end.pop(), RelayWire::prepare), end.tunnelId());
  }

  /** The tunnel {@code id} if this POP holds it (other POPs' clients of it come over their relay links, {@link RelayWire}). */
  public Optional<Tunnel> tunnel(String id) {
    TunnelServer s = server;
    return s == null ? Optional.empty() : s.tunnel(id);
  }

  /** The TCP fallback's TLS context; the HTTPS edge hands such connections to {@link #serve}. */
  @Override
  public SslContext tls() {
    return tcpTls;
  }

  @Override
  public void serve(Channel connection) {
    TunnelServer s = server;
    if (s == null) {
      connection.close(); // shutting down
      return;
    }
    s.serveTcp(connection);
  }

  public @Nullable InetSocketAddress address() {
    return server == null ? null : server.address();
  }

  public List<Tunnel> tunnels() {
    return server == null ? List.of() : List.copyOf(server.tunnels());
  }

  public long refusedCount() {
    return refused.get();
  }

  public long misbehavedCount() {
    return misbehaved.get();
  }

  @Override
  public void close() {
    TunnelServer s = server;
    server = null;
    if (s != null) {
      List<String> held = s.tunnels().stream().map(Tunnel::id).toList();
      s.shutdown(GOAWAY_GRACE_MS);
      writer.execute(() -> held.forEach(id -> write("remove", () -> rows.disconnected(id))));
    }
    writer.shutdown();
    try {
      writer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
