package io.edgeproxy.discovery;

import org.jspecify.annotations.Nullable;

/**
 * One device tunnel as {@code GET /v1/tunnels}, {@code edgeproxy tunnel list} and the status page show it: the
 * tunnels this POP holds with their live figures, then the ones other POPs hold as the routing
 * snapshot knows them (no live figures: those are the holding POP's).
 *
 * @param held true when this POP holds it
 * @param remote the agent's public address as its POP saw it
 * @param transport {@code quic}, or {@code tcp} for the fallback; held tunnels only
 * @param rttMs the path's round-trip time (QUIC's measure, or the agent's over TCP), held tunnels only
 */
public record TunnelView(String id, String app, @Nullable String agent, String pop, boolean held, String remote,
    @Nullable String transport, @Nullable Long sinceMs, @Nullable Integer openStreams, @Nullable Long streams, @Nullable Long bytesIn, @Nullable Long bytesOut,
    @Nullable Double rttMs) {}
