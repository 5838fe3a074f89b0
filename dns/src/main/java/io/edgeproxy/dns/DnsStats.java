package io.edgeproxy.dns;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the DNS server, read by the metrics endpoint. Thread-safe, cheap to update. */
public final class DnsStats {
  private final LongAdder queries = new LongAdder();
  private final LongAdder tcpQueries = new LongAdder();
  private final LongAdder[] byRcode = new LongAdder[24];
  private final LongAdder rateLimited = new LongAdder();
  private final LongAdder truncated = new LongAdder();
  private final LongAdder ignored = new LongAdder();

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

  void truncated() {
    truncated.increment();
  }

  void ignored() {
    ignored.increment();
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

  /** UDP responses sent truncated because the answer did not fit. */
  public long truncatedTotal() {
    return truncated.sum();
  }

  /** Packets not answered at all: shorter than a header, or responses. */
  public long ignoredTotal() {
    return ignored.sum();
  }
}
