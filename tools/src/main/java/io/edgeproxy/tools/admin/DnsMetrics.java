package io.edgeproxy.tools.admin;

import io.edgeproxy.dns.DnsStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The DNS server's counters: messages received, responses by rcode, what was limited, refused, truncated and forwarded. */
final class DnsMetrics {
  private static final Map<Integer, String> RCODES = Map.of(
      0, "NOERROR", 1, "FORMERR", 2, "SERVFAIL", 3, "NXDOMAIN", 4, "NOTIMP", 5, "REFUSED", 16, "BADVERS");

  private DnsMetrics() {}

  static void register(MeterRegistry registry, DnsStats dns, Tags pop) {
    counter(registry, dns, pop, "queries", "DNS messages received (UDP and TCP)", DnsStats::queriesTotal);
    for (Map.Entry<Integer, String> rcode : RCODES.entrySet()) {
      FunctionCounter.builder("edge.dns.responses", dns, d -> d.responsesTotal(rcode.getKey())).tags(pop.and("rcode", rcode.getValue()))
          .description("DNS responses sent, by rcode").register(registry);
    }
    counter(registry, dns, pop, "rate.limited", "UDP responses dropped or sent empty with TC by the per-source rate limit",
        DnsStats::rateLimitedTotal);
    counter(registry, dns, pop, "not.allowed", "Queries answered REFUSED because the client is outside EDGEPROXY_DNS_ALLOW_FROM",
        DnsStats::notAllowedTotal);
    counter(registry, dns, pop, "truncated", "UDP responses truncated (TC) because the answer did not fit", DnsStats::truncatedTotal);
    counter(registry, dns, pop, "forwarded", "Queries for names outside the zone forwarded to the upstream resolvers",
        DnsStats::forwardedTotal);
    counter(registry, dns, pop, "forward.overflow", "Queries to forward answered SERVFAIL at once: too many forwarded queries in flight",
        DnsStats::forwardOverflowTotal);
    counter(registry, dns, pop, "upstream.timeouts", "Forwarding tries an upstream resolver did not answer within the timeout",
        DnsStats::upstreamTimeoutsTotal);
    counter(registry, dns, pop, "upstream.failures",
        "Forwarding tries that failed otherwise: not sent, refused or closed connections, SERVFAIL or REFUSED", DnsStats::upstreamFailuresTotal);
    counter(registry, dns, pop, "upstream.ignored",
        "Datagrams on the forwarding sockets answering no pending try (wrong id, sender or question, or late)", DnsStats::upstreamIgnoredTotal);
  }

  private static void counter(MeterRegistry registry, DnsStats dns, Tags pop, String name, String description,
      ToDoubleFunction<DnsStats> value) {
    FunctionCounter.builder("edge.dns." + name, dns, value).tags(pop).description(description).register(registry);
  }
}
