package io.edgeproxy.dns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

/**
 * Where the reply to a forwarded query goes: the client's UDP address through the server socket
 * that received the query ({@link UdpClientReply}), or the client's TCP connection
 * ({@link TcpDnsHandler}). Every method runs on {@link #eventLoop()} only.
 */
interface ClientReply {
  /** The event loop of the client's channel; the forwarding for this client runs there too. */
  EventLoop eventLoop();

  /** True for a TCP client: the query then goes to the upstreams over TCP too. */
  boolean tcp();

  /** The query was handed to the upstreams; exactly one {@link #send} follows, later. */
  void forwarded();

  /** Forwarded queries of this client still waiting for their reply (a TCP connection may have several). */
  default int forwardsPending() {
    return 0;
  }

  /** Sends one DNS message (without a TCP length prefix) to the client; takes ownership of {@code message}. */
  void send(ByteBuf message);
}
