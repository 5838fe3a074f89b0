package io.edgeproxy.replication.net;

import io.edgeproxy.replication.wire.Envelope;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stage of every change-stream stream: hands each decoded envelope, and the stream's
 * opening and closing, to the replica's protocol on its own thread. Decides nothing.
 */
final class StreamHandler extends SimpleChannelInboundHandler<Envelope> {
  private static final Logger logger = LoggerFactory.getLogger(StreamHandler.class);

  private final NettyStream stream;
  private final StreamEvents events;
  private final Executor nodeThread;
  private final boolean inbound;

  StreamHandler(NettyStream stream, StreamEvents events, Executor nodeThread, boolean inbound) {
    this.stream = stream;
    this.events = events;
    this.nodeThread = nodeThread;
    this.inbound = inbound;
  }

  NettyStream stream() {
    return stream;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (inbound) {
      nodeThread.execute(() -> events.onInboundStream(stream));
    }
    ctx.fireChannelActive();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Envelope envelope) {
    nodeThread.execute(() -> events.onMessage(stream, envelope));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    nodeThread.execute(() -> events.onClosed(stream));
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    logger.debug("change-stream with {} failed: {}", stream.peer(), cause.toString());
    if (cause instanceof DecoderException) {
      events.refused(stream.peer(), "undecodable message: " + cause.getMessage());
    }
    ctx.close();
  }
}
