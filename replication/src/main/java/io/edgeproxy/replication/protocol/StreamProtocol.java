package io.edgeproxy.replication.protocol;

import io.edgeproxy.replication.wire.Envelope;
import io.edgeproxy.replication.wire.Hello;
import io.edgeproxy.replication.wire.Refused;

/**
 * What one stream does, either end: the Hello exchange every stream starts with, then the
 * messages of its role. One instance per stream, attached to it; called on the node's thread
 * only, in arrival order.
 */
abstract class StreamProtocol {
  final ReplicaNode node;
  final ReplicaRuntime.Stream stream;
  private int protocol = Handshake.MAX_PROTOCOL;
  private boolean helloSeen;

  StreamProtocol(ReplicaNode node, ReplicaRuntime.Stream stream) {
    this.node = node;
    this.stream = stream;
  }

  final String peer() {
    return stream.peer();
  }

  /** A message from the peer. */
  final void onMessage(Envelope envelope) {
    if (!helloSeen) {
      if (!envelope.hasHello()) {
        refuse(envelope.getBodyCase() + " before Hello (expected: Hello first)", false);
        return;
      }
      switch (Handshake.check(envelope.getHello(), envelope.getProtocol(), node.cluster(), peer())) {
        case Handshake.Verdict.Refused r -> refuse(r.reason(), false);
        case Handshake.Verdict.Accepted a -> {
          protocol = a.protocol();
          helloSeen = true;
          node.peerHello(peer(), envelope.getHello());
          if (stream.isOpen()) {
            onHello(envelope.getHello());
          }
        }
      }
      return;
    }
    if (envelope.getProtocol() != protocol) {
      refuse("message in protocol " + envelope.getProtocol() + " (expected: " + protocol + ", as agreed)", false);
      return;
    }
    switch (envelope.getBodyCase()) {
      case HELLO -> node.peerHello(peer(), envelope.getHello());
      case REFUSED -> {
        node.refusedBy(peer(), envelope.getRefused());
        close();
      }
      default -> handle(envelope);
    }
  }

  /** The peer's first Hello was accepted. */
  abstract void onHello(Hello hello);

  /** A message of this stream's role (not Hello, not Refused). */
  abstract void handle(Envelope envelope);

  /** The stream closed (either side, or the connection). */
  void onClosed() {}

  final void send(Envelope.Builder envelope) {
    stream.send(envelope.setProtocol(protocol).build());
  }

  /** Sends {@code messages} paced to the peer, off the node's thread (see {@link ReplicaRuntime.Stream#sendAll}). */
  final void sendAll(java.util.Iterator<Envelope.Builder> messages, Runnable whenDone) {
    stream.sendAll(new java.util.Iterator<>() {
      @Override
      public boolean hasNext() {
        return messages.hasNext();
      }

      @Override
      public Envelope next() {
        return messages.next().setProtocol(protocol).build();
      }
    }, whenDone);
  }

  final void sendHello() {
    stream.send(Envelope.newBuilder().setProtocol(Handshake.MAX_PROTOCOL).setHello(node.hello()).build());
  }

  /** Counts and logs {@code reason}, tells the peer, closes the stream. */
  final void refuse(String reason, boolean stale) {
    node.rejected(peer(), reason);
    send(Envelope.newBuilder().setRefused(Refused.newBuilder().setReason(reason).setStale(stale)));
    close();
  }

  final void unexpected(Envelope envelope) {
    refuse("unexpected " + envelope.getBodyCase() + " on a " + getClass().getSimpleName() + " stream", false);
  }

  final void close() {
    stream.close();
  }
}
