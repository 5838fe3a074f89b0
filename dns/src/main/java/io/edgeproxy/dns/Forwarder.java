package io.edgeproxy.dns;

import static java.util.Objects.requireNonNull;

import io.edgeproxy.core.geo.IpNetwork;
import io.edgeproxy.core.geo.IpNetworks;
import io.edgeproxy.core.geo.SocketAddresses;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Forwards queries for names outside the zone to upstream resolvers, for clients in the allowed
 * networks only (never an open resolver). Each try sends the client's query bytes with a fresh
 * random id; a reply counts only from the upstream asked, with that id and the same question, and
 * goes to the client with its own id back. Upstreams are tried in order, each for the timeout;
 * when none answers the client gets SERVFAIL. UDP clients are forwarded over UDP, TCP clients over
 * TCP. Forwarded replies are never cached. See dns/DESIGN.md, "Forwarding".
 *
 * <p>{@link #start()} and {@link #close()} run on the server's thread; {@link #allows} and
 * {@link #forward} on the I/O threads, without blocking.
 */
final class Forwarder implements AutoCloseable {
  /**
   * What forwarding on every loop shares.
   *
   * @param upstreams tried in this order
   * @param timeout per try
   * @param maxInFlight forwarded queries in flight per event loop; more get SERVFAIL at once
   * @param writer for SERVFAIL responses
   */
  record Plan(List<InetSocketAddress> upstreams, Duration timeout, int maxInFlight, DnsStats stats,
      ResponseWriter.Settings writer, DnsTransport transport) {
    Plan {
      upstreams = List.copyOf(upstreams);
      if (upstreams.isEmpty() || maxInFlight < 1) {
        throw new IllegalArgumentException("upstreams: " + upstreams + ", maxInFlight: " + maxInFlight
            + " (expected: at least one upstream, maxInFlight >= 1)");
      }
      requireNonNull(timeout, "timeout");
      requireNonNull(stats, "stats");
      requireNonNull(writer, "writer");
      requireNonNull(transport, "transport");
    }
  }

  private final Plan plan;
  private final IpNetworks allowed;
  private volatile Map<EventLoop, ForwardingLoop> loops = Map.of();

  /** {@code allowed}: the networks of clients that may use forwarding; empty: nobody. */
  Forwarder(Plan plan, List<IpNetwork> allowed) {
    this.plan = requireNonNull(plan, "plan");
    this.allowed = new IpNetworks(allowed);
  }

  /** Binds each event loop's UDP sockets towards the upstreams; blocks until bound. */
  synchronized void start() {
    Map<EventLoop, ForwardingLoop> started = new HashMap<>();
    try {
      for (EventLoop loop : plan.transport().loops()) {
        ForwardingLoop forwarding = new ForwardingLoop(loop, plan);
        started.put(loop, forwarding);
        forwarding.bind();
      }
    } catch (Exception e) { // bind failures arrive as (sneakily thrown) IOExceptions, so not only RuntimeException
      started.values().forEach(ForwardingLoop::close);
      throw new IllegalStateException("cannot open UDP sockets for forwarding to " + describe() + ": " + e.getMessage(), e);
    }
    loops = Map.copyOf(started);
  }

  /** True when {@code client} is in one of the allowed networks. */
  boolean allows(InetAddress client) {
    return allowed.contains(client);
  }

  /**
   * Forwards {@code message} (the readable bytes, copied here; not released), whose parsed form is
   * {@code query}. Runs on {@code client.eventLoop()}.
   */
  void forward(DnsQuery query, ByteBuf message, ClientReply client) {
    ForwardingLoop forwarding = loops.get(client.eventLoop());
    if (forwarding == null) {
      throw new IllegalStateException("forwarding is not started on " + client.eventLoop());
    }
    forwarding.forward(new ForwardedQuery(query, ByteBufUtil.getBytes(message), client));
  }

  /** The upstreams and the allowed networks, for the start-up log. */
  String describe() {
    return plan.upstreams().stream().map(SocketAddresses::format).collect(Collectors.joining(", "))
        + " (timeout " + plan.timeout().toMillis() + " ms each) for clients in "
        + (allowed.isEmpty() ? "no network" : allowed.networks().stream().map(IpNetwork::toString).collect(Collectors.joining(", ")));
  }

  @Override
  public synchronized void close() {
    loops.values().forEach(ForwardingLoop::close);
    loops = Map.of();
  }
}
