package io.edgeproxy.replication.net;

import io.netty.handler.codec.quic.QuicStreamChannel;

/** Takes the streams another POP opens on a relay connection (one per relayed client connection). */
@FunctionalInterface
public interface RelayAcceptor {
  /** No relays served here: every relay stream is closed. */
  RelayAcceptor NONE = (stream, peer) -> stream.close();

  /** {@code stream} was opened by POP {@code peer} (its certificate verified against the cluster CA). */
  void accept(QuicStreamChannel stream, String peer);
}
