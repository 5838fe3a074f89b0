package io.edgeproxy.core.testing.net;

/**
 * What a {@link DelayRelay} has done so far, both directions together.
 *
 * @param datagrams UDP datagrams delivered (0 for TCP)
 * @param bytes payload bytes delivered
 * @param dropped UDP datagrams dropped because the relay's queue was full (its cap is 16 MiB per direction)
 * @param connections TCP connections accepted (0 for UDP)
 */
public record RelayCounters(long datagrams, long bytes, long dropped, long connections) {}
