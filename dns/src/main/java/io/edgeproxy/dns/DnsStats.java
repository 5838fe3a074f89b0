package io.edgeproxy.dns;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the DNS server, read by the metrics endpoint. Thread-safe, cheap to update. */
public final class DnsStats {
  private final LongAdder queries = new LongAdder();
  private final LongAdder tcpQueries = new LongAdder();
  private final LongAdder[] byRcode = new LongAdder[24];
  private final LongAdder rateLimited = new LongAdder();
  private final LongAdder notAllowed = new LongAdder();
  private final LongAdder truncated = new LongAdder();
  private final LongAdder ignored = new LongAdder();
  private final LongAdder forwarded = new LongAdder();
  private final LongAdder forwardOverflow = new LongAdder();
  private final LongAdder upstreamTimeouts = new LongAdder();
  private final LongAdder upstreamFailures = new LongAdder();
  private final LongAdder upstreamIgnored = new LongAdder();

  DnsStats() {
    for (int i = 0; i < byRcode.length; i++) {
      byRcode[i] = new LongAdder();
    }
  }

  void query(boolean tcp) {
    queries.increment();
    if (tcp) {
      tcpQueries.increment();
    }
  }

  void response(int rcode) {
    byRcode[Math.min(rcode, byRcode.length - 1)].increment();
  }

  void rateLimited() {
    rateLimited.increment();
  }

  void notAllowed() {
    notAllowed.increment();
  }

  void truncated() {
    truncated.increment();
  }

  void ignored() {
    ignored.increment();
  }

  void forwarded() {
    forwarded.increment();
  }

  void forwardOverflow() {
    forwardOverflow.increment();
  }

  void upstreamTimeout() {
    upstreamTimeouts.increment();
  }

  void upstreamFailure() {
    upstreamFailures.increment();
  }

  void upstreamIgnored() {
    upstreamIgnored.increment();
  }

  /** Packets received (UDP) and messages framed (TCP), answered or not. */
  public long queriesTotal() {
    return queries.sum();
  }

  public long tcpQueriesTotal() {
    return tcpQueries.sum();
  }

  /** Responses sent with {@code rcode} (0 NOERROR, 1 FORMERR, 2 SERVFAIL, 3 NXDOMAIN, 4 NOTIMP, 5 REFUSED, 16 BADVERS). */
  public long responsesTotal(int rcode) {
    return rcode >= 0 && rcode < byRcode.length ? byRcode[rcode].sum() : 0;
  }

  /** UDP responses dropped or slipped (sent empty with TC) by the rate limit. */
  public long rateLimitedTotal() {
    return rateLimited.sum();
  }

  /** Queries refused because the client is outside EDGEPROXY_DNS_ALLOW_FROM. */
  public long notAllowedTotal() {
    return notAllowed.sum();
  }

  /** UDP responses sent truncated because the answer did not fit. */
  public long truncatedTotal() {
    return truncated.sum();
  }

  /** Packets not answered at all: shorter than a header, or responses. */
  public long ignoredTotal() {
    return ignored.sum();
  }

  /** Queries for names outside the zone handed to the upstream resolvers (once per query, however many tries). */
  public long forwardedTotal() {
    return forwarded.sum();
  }

  /** Queries to forward answered SERVFAIL at once because too many forwarded queries were in flight. */
  public long forwardOverflowTotal() {
    return forwardOverflow.sum();
  }

  /** Tries of forwarded queries that an upstream did not answer within the timeout. */
  public long upstreamTimeoutsTotal() {
    return upstreamTimeouts.sum();
  }

  /**
   * Tries of forwarded queries that failed otherwise: not sent, connection refused or closed, a TCP
   * reply not matching the query, or SERVFAIL/REFUSED from the upstream.
   */
  public long upstreamFailuresTotal() {
    return upstreamFailures.sum();
  }

  /** Datagrams on the forwarding sockets that answer no pending try: wrong id, sender or question, or late. */
  public long upstreamIgnoredTotal() {
    return upstreamIgnored.sum();
  }
}
