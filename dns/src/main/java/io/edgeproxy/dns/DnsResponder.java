package io.edgeproxy.dns;

import static java.util.Objects.requireNonNull;

import io.edgeproxy.core.geo.ClientLocation;
import io.edgeproxy.core.geo.ClientLocator;
import io.edgeproxy.core.geo.IpNetworks;
import io.edgeproxy.core.routing.Hashing;
import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One received message to one response, for both transports: parse, rate-limit (UDP), locate the
 * client, resolve, write. A UDP query seen before is answered from the {@link AnswerCache} when the
 * cached response still holds (rate limit first, as for any query). With a {@link Forwarder}, a
 * query for a name outside the zone from an allowed client is handed to it after the rate limit
 * and answered later. Thread-safe; runs on the I/O threads and never blocks.
 */
final class DnsResponder {
  private static final Logger logger = LoggerFactory.getLogger(DnsResponder.class);

  private final ZoneResolver resolver;
  private final ClientLocator locator;
  private final DnsStats stats;
  private final ResponseWriter.Settings settings;
  private final @Nullable RateLimiter limiter;
  private final @Nullable Forwarder forwarder;
  private final IpNetworks allowed;
  private final AnswerCache cache = new AnswerCache();
  private final AtomicBoolean warned = new AtomicBoolean();

  /** No forwarding, every client answered: the warm-up's responder (its senders are made up), and tests'. */
  DnsResponder(ZoneResolver resolver, ClientLocator locator, DnsStats stats, int ttlSeconds, @Nullable RateLimiter limiter) {
    this(resolver, locator, stats, ttlSeconds, limiter, null, IpNetworks.EVERYONE);
  }

  /**
   * @param forwarder where queries for names outside the zone go; null: they are refused
   * @param allowed the clients answered at all; any other gets REFUSED
   */
  DnsResponder(ZoneResolver resolver, ClientLocator locator, DnsStats stats, int ttlSeconds, @Nullable RateLimiter limiter,
      @Nullable Forwarder forwarder, IpNetworks allowed) {
    this.forwarder = forwarder;
    this.allowed = requireNonNull(allowed, "allowed");
    this.resolver = requireNonNull(resolver, "resolver");
    this.locator = requireNonNull(locator, "locator");
    this.stats = requireNonNull(stats, "stats");
    this.settings = new ResponseWriter.Settings(resolver.zone(), ttlSeconds);
    this.limiter = limiter;
  }

  /**
   * Writes the response to {@code message} (from {@code sender}) at {@code out}'s writer index.
   * Neither buffer is released here.
   *
   * @return false when nothing is to be sent (ignored, or dropped by the rate limit)
   */
  boolean respond(ByteBuf message, InetAddress sender, boolean tcp, ByteBuf out) {
    return respond(message, sender, tcp, out, null);
  }

  /**
   * As {@link #respond(ByteBuf, InetAddress, boolean, ByteBuf)}; a query this server forwards also
   * gives false, and its reply goes to {@code forwardedReply} later.
   *
   * @param forwardedReply where a forwarded reply goes; null: never forward (as without upstreams)
   */
  boolean respond(ByteBuf message, InetAddress sender, boolean tcp, ByteBuf out, @Nullable ClientReply forwardedReply) {
    stats.query(tcp);
    if (!allowed.contains(sender)) {
      return refuse(message, sender, tcp, out);
    }
    long network = tcp ? 0 : RateLimiter.networkOf(sender);
    if (!tcp) {
      AnswerCache.Entry hit = cache.find(message, network, resolver.view(), resolver.now());
      if (hit != null) { // only well-formed queries are cached, so it is not one to ignore
        RateLimiter.Verdict verdict = limit(sender);
        if (verdict != RateLimiter.Verdict.ANSWER) {
          return limited(verdict, QueryParser.parse(message), out);
        }
        hit.writeTo(out, message.getUnsignedShort(message.readerIndex()));
        if (hit.truncated()) {
          stats.truncated();
        }
        stats.response(hit.rcode());
        return true;
      }
    }
    ParsedQuery parsed = QueryParser.parse(message);
    if (parsed instanceof ParsedQuery.Ignored ignored) {
      stats.ignored();
      logger.debug("ignored a packet from {}: {}", sender.getHostAddress(), ignored.reason());
      return false;
    }
    if (!tcp) {
      RateLimiter.Verdict verdict = limit(sender);
      if (verdict != RateLimiter.Verdict.ANSWER) {
        return limited(verdict, parsed, out);
      }
    }
    if (forwardedReply != null && parsed instanceof ParsedQuery.Parsed p && forwards(p.query(), sender)) {
      forwarder.forward(p.query(), message, forwardedReply);
      return false;
    }
    int rcode = switch (parsed) {
      case ParsedQuery.Parsed p -> answer(p.query(), sender, tcp ? null : message, network, out);
      case ParsedQuery.Malformed m -> {
        logger.debug("FORMERR to {}: {}", sender.getHostAddress(), m.reason());
        ResponseWriter.writeHeaderOnly(out, m.id(), m.flags(), Answer.FORMERR, false);
        yield Answer.FORMERR;
      }
      case ParsedQuery.Unsupported u -> {
        ResponseWriter.writeHeaderOnly(out, u.id(), u.flags(), Answer.NOTIMP, false);
        yield Answer.NOTIMP;
      }
      case ParsedQuery.Ignored i -> throw new AssertionError("handled above");
    };
    stats.response(rcode);
    return true;
  }

  /**
   * A client outside the allowed networks: REFUSED with the question echoed (no larger than the
   * query, so no amplification), after the rate limit like any other response.
   */
  private boolean refuse(ByteBuf message, InetAddress sender, boolean tcp, ByteBuf out) {
    stats.notAllowed();
    ParsedQuery parsed = QueryParser.parse(message);
    if (parsed instanceof ParsedQuery.Ignored) {
      stats.ignored();
      return false;
    }
    if (!tcp) {
      RateLimiter.Verdict verdict = limit(sender);
      if (verdict != RateLimiter.Verdict.ANSWER) {
        return limited(verdict, parsed, out);
      }
    }
    headerOnly(parsed, Answer.REFUSED, false, out);
    stats.response(Answer.REFUSED);
    return true;
  }

  /** True when this server forwards queries (upstreams are configured). */
  boolean forwarding() {
    return forwarder != null;
  }

  /** A query for a name outside the zone (not a zone transfer) from a client allowed to use forwarding. */
  private boolean forwards(DnsQuery query, InetAddress sender) {
    return forwarder != null && !DnsNames.inZone(query.labels(), resolver.zone())
        && query.qtype() != Rr.TYPE_AXFR && query.qtype() != Rr.TYPE_IXFR && forwarder.allows(sender);
  }

  private RateLimiter.Verdict limit(InetAddress sender) {
    return limiter == null ? RateLimiter.Verdict.ANSWER : limiter.check(sender, System.nanoTime());
  }

  /** A response the rate limit holds back: nothing (false), or an empty one with TC. */
  private boolean limited(RateLimiter.Verdict verdict, ParsedQuery parsed, ByteBuf out) {
    stats.rateLimited();
    if (verdict == RateLimiter.Verdict.DROP) {
      return false;
    }
    slip(parsed, out);
    return true;
  }

  /**
   * Resolves and writes the answer; a UDP answer ({@code udpMessage} not null, from {@code network})
   * goes to the cache unless it failed or read something the cache cannot track.
   */
  private int answer(DnsQuery query, InetAddress sender, @Nullable ByteBuf udpMessage, long network, ByteBuf out) {
    int start = out.writerIndex();
    Answer answer;
    ZoneView view = null;
    AnswerInputs inputs = new AnswerInputs();
    try {
      view = resolver.view();
      ClientSubnet subnet = query.edns() == null ? null : query.edns().subnet();
      InetAddress where = subnet != null && subnet.sourcePrefix() > 0 ? subnet.address() : network(sender);
      ClientLocation location = locator.locate(where, view.snapshot().regions());
      answer = resolver.resolve(query, view, location, Hashing.ofAddress(where), inputs);
    } catch (RuntimeException e) {
      answer = serverFailure(query, e);
    }
    int limit = udpMessage == null ? ResponseWriter.TCP_MAX : ResponseWriter.udpLimit(query.edns());
    long serial = view == null ? 0 : view.snapshot().version();
    boolean truncated;
    try {
      truncated = ResponseWriter.write(out, query, answer, limit, serial, settings);
    } catch (RuntimeException e) {
      out.writerIndex(start);
      answer = serverFailure(query, e);
      truncated = ResponseWriter.write(out, query, answer, limit, serial, settings);
    }
    if (truncated) {
      stats.truncated();
    }
    // With forwarding, whether a name outside the zone is refused depends on the sender's address,
    // which the cache key holds only to its /24 or /56: such answers are not cached.
    boolean cacheable = forwarder == null || DnsNames.inZone(query.labels(), resolver.zone());
    if (udpMessage != null && view != null && inputs.reusable() && cacheable && !(answer instanceof Answer.ServerFailure)) {
      cache.put(udpMessage, network, inputs.freeze(view), out.slice(start, out.writerIndex() - start), answer.rcode(),
          truncated);
    }
    return answer.rcode();
  }

  private Answer serverFailure(DnsQuery query, RuntimeException e) {
    if (warned.compareAndSet(false, true)) {
      logger.warn("SERVFAIL for {} (type {}); later failures are logged at DEBUG", String.join(".", query.labels()), query.qtype(), e);
    } else {
      logger.debug("SERVFAIL for {} (type {})", String.join(".", query.labels()), query.qtype(), e);
    }
    return new Answer.ServerFailure();
  }

  /** An empty response with TC: a real client retries over TCP. */
  private void slip(ParsedQuery parsed, ByteBuf out) {
    headerOnly(parsed, Answer.NOERROR, true, out);
  }

  /** A response with no records: the header with {@code rcode}, and the question when it parsed. */
  private static void headerOnly(ParsedQuery parsed, int rcode, boolean truncated, ByteBuf out) {
    switch (parsed) {
      case ParsedQuery.Parsed p -> {
        ResponseWriter.writeHeaderOnly(out, p.query().id(), p.query().flags(), rcode, truncated);
        out.setShort(out.writerIndex() - 8, 1); // QDCOUNT: the question follows
        out.writeBytes(p.query().question());
      }
      case ParsedQuery.Malformed m -> ResponseWriter.writeHeaderOnly(out, m.id(), m.flags(), rcode, truncated);
      case ParsedQuery.Unsupported u -> ResponseWriter.writeHeaderOnly(out, u.id(), u.flags(), rcode, truncated);
      case ParsedQuery.Ignored i -> throw new AssertionError("ignored packets get no response");
    }
  }

  /** The sender's /24 (IPv4) or /56 (IPv6): the granularity of location and of the tie-break. */
  static InetAddress network(InetAddress sender) {
    byte[] a = sender.getAddress();
    for (int i = a.length == 4 ? 3 : 7; i < a.length; i++) {
      a[i] = 0;
    }
    try {
      return InetAddress.getByAddress(a);
    } catch (UnknownHostException e) {
      throw new AssertionError("4 or 16 bytes are always an address", e);
    }
  }
}
