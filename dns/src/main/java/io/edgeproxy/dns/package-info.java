/**
 * The {@code .internal} DNS server: UDP and TCP on Netty, answering every name from the same
 * immutable {@code RoutingSnapshot} the proxy routes by, so DNS and proxy agree on health, limits
 * and deletions. Queries are parsed into {@link io.edgeproxy.dns.DnsQuery} values, resolved into a
 * sealed {@link io.edgeproxy.dns.Answer}, and written with name compression, EDNS0 and truncation;
 * encoded UDP responses are cached and re-validated against the snapshot and live state. Names
 * outside the zone are refused, or, with upstreams configured, forwarded for allowed clients.
 *
 * <p>Starting points: {@link io.edgeproxy.dns.DnsServer} (bind, start, close),
 * {@link io.edgeproxy.dns.ZoneResolver} (name forms to answers), {@code QueryParser} (wire to
 * query), {@code ResponseWriter} (answer to wire), {@code RateLimiter} (per-source token buckets),
 * {@code AnswerCache} (repeated queries), {@code DnsWarmUp} (JIT warm-up before binding),
 * {@code Forwarder} and {@code ForwardingLoop} (names outside the zone to upstream resolvers).
 */
@NullMarked
package io.edgeproxy.dns;

import org.jspecify.annotations.NullMarked;
