package io.edgeproxy.dns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers datagrams. Responses are written as they are made and flushed once per read batch, so
 * the epoll transport sends a batch with one sendmmsg. Runs on the socket's event loop only.
 */
final class UdpDnsHandler extends SimpleChannelInboundHandler<DatagramPacket> {
  private static final Logger logger = LoggerFactory.getLogger(UdpDnsHandler.class);

  private final DnsResponder responder;
  /** Written by the socket's event loop only; read by anyone (hence the release store). */
  private final AtomicLong datagrams = new AtomicLong();

  UdpDnsHandler(DnsResponder responder) {
    this.responder = responder;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    datagrams.setRelease(datagrams.getPlain() + 1);
    ByteBuf out = ctx.alloc().ioBuffer(512);
    boolean send = false;
    try {
      // a reply target only when forwarding is on: nothing more is allocated per query otherwise
      ClientReply forwardedReply = responder.forwarding() ? new UdpClientReply(ctx.channel(), packet.sender()) : null;
      send = responder.respond(packet.content(), packet.sender().getAddress(), false, out, forwardedReply);
    } finally {
      if (send) {
        ctx.write(new DatagramPacket(out, packet.sender()), ctx.voidPromise());
      } else {
        out.release();
      }
    }
  }

  long datagrams() {
    return datagrams.getAcquire();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // One bad datagram (or an ICMP error surfaced by the kernel) must not close the shared socket.
    logger.debug("UDP error on {}: {}", ctx.channel().localAddress(), cause.toString());
  }
}
