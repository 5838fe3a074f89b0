package io.edgeproxy.replication.protocol;

import io.edgeproxy.replication.wire.ChangeSet;
import io.edgeproxy.replication.wire.ClockPong;
import io.edgeproxy.replication.wire.Envelope;
import io.edgeproxy.replication.wire.Hello;
import io.edgeproxy.replication.wire.PushAck;
import org.jspecify.annotations.Nullable;

/**
 * A stream a peer opened to this POP: its push stream (change sets in, acknowledgements and clock
 * pongs out), or an anti-entropy session it started (handed to a {@link SyncResponder}).
 */
final class InboundStream extends StreamProtocol {
  private long setsTaken;
  private @Nullable SyncResponder responder;

  InboundStream(ReplicaNode node, ReplicaRuntime.Stream stream) {
    super(node, stream);
  }

  @Override
  void onHello(Hello hello) {
    sendHello();
  }

  @Override
  void handle(Envelope envelope) {
    if (responder != null) {
      responder.handle(envelope);
      return;
    }
    switch (envelope.getBodyCase()) {
      case CHANGES -> changes(envelope.getChanges());
      case CLOCK_PING -> {
        long received = node.wallMillis();
        send(Envelope.newBuilder().setClockPong(ClockPong.newBuilder().setPingSentMs(envelope.getClockPing().getSentMs())
            .setReceivedMs(received).setSentMs(node.wallMillis())));
      }
      case SYNC_REQUEST -> {
        responder = new SyncResponder(this);
        responder.request(envelope.getSyncRequest());
      }
      default -> unexpected(envelope);
    }
  }

  private void changes(ChangeSet set) {
    if (node.peerMustRejoin(peer())) {
      refuse("this POP holds changes " + peer() + " may have missed for longer than tombstones live; it must rejoin from a"
          + " copy before it sends changes", true);
      return;
    }
    String problem = WireRowCheck.problemIn(set.getRowsList());
    if (problem != null) {
      refuse("malformed change set: " + problem, false);
      return;
    }
    long taken = ++setsTaken;
    node.pushedIn(peer(), set.getPrevious(), set.getTxn(), WireRowCheck.decodedWhenRead(set.getRowsList()),
        holds -> send(Envelope.newBuilder().setPushAck(PushAck.newBuilder().setSets(taken).setHolds(holds))));
  }

  /** A session's row batch or row request, sent on (a responder's stream). */
  void sendEnvelope(Envelope.Builder envelope) {
    send(envelope);
  }

  /** A copy's chunks and what follows them, paced to the peer off the node's thread. */
  void sendAllEnvelopes(java.util.Iterator<Envelope.Builder> messages, Runnable whenDone) {
    sendAll(messages, whenDone);
  }

  @Override
  void onClosed() {
    if (responder != null) {
      responder.closed();
    }
  }
}
