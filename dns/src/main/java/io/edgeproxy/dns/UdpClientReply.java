package io.edgeproxy.dns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * A forwarded reply to a UDP client, sent from the server socket that received the query (so it
 * comes from the port the client asked).
 *
 * @param channel the server's UDP socket on the client's event loop
 * @param client the query's sender
 */
record UdpClientReply(Channel channel, InetSocketAddress client) implements ClientReply {
  @Override
  public EventLoop eventLoop() {
    return channel.eventLoop();
  }

  @Override
  public boolean tcp() {
    return false;
  }

  @Override
  public void forwarded() {}

  @Override
  public void send(ByteBuf message) {
    channel.writeAndFlush(new DatagramPacket(message, client), channel.voidPromise());
  }
}
