package io.edgeproxy.replication.net;

import io.edgeproxy.replication.protocol.ReplicaRuntime;
import io.edgeproxy.replication.wire.Envelope;

/**
 * Where decoded stream events go (the replica's protocol node). Called on the node's thread, never
 * on an I/O thread: the handlers only decode and hand over.
 */
public interface StreamEvents {
  void onInboundStream(ReplicaRuntime.Stream stream);

  void onMessage(ReplicaRuntime.Stream stream, Envelope envelope);

  void onClosed(ReplicaRuntime.Stream stream);

  /** A frame that could not be decoded, or a connection that failed authentication. Any thread. */
  void refused(String peer, String reason);
}
