package io.edgeproxy.proxy.health;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP health probe's only handler: sends the request when connected, reads nothing but the
 * status line (at most {@link #MAX_STATUS_LINE} bytes), completes the promise with the verdict and
 * closes. Every inbound buffer is released here. Runs on the checker's event loop.
 */
final class HttpStatusLineHandler extends ChannelInboundHandlerAdapter {
  /** Longer than any real status line; a backend sending more before a line end is not speaking HTTP. */
  static final int MAX_STATUS_LINE = 512;
  private static final Pattern STATUS_LINE = Pattern.compile("HTTP/\\d(?:\\.\\d)? (\\d{3})(?: .*)?");

  private final byte[] request;
  private final Promise<ProbeResult> result;
  private final byte[] line = new byte[MAX_STATUS_LINE];
  private int length;

  HttpStatusLineHandler(byte[] request, Promise<ProbeResult> result) {
    this.request = request;
    this.result = result;
  }

  /** {@code GET path HTTP/1.1} with {@code Host} and {@code Connection: close}, in ASCII. */
  static byte[] request(String path, String host) {
    return ("GET " + path + " HTTP/1.1\r\n"
        + "Host: " + host + "\r\n"
        + "Connection: close\r\n"
        + "User-Agent: edgeproxy-health-check\r\n"
        + "Accept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(ctx.alloc().buffer(request.length).writeBytes(request));
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      io.netty.util.ReferenceCountUtil.release(msg);
      return;
    }
    try {
      if (!result.isDone()) {
        append(in);
      }
    } finally {
      in.release();
    }
    if (result.isDone()) {
      ctx.close();
    }
  }

  private void append(ByteBuf in) {
    while (in.isReadable()) {
      byte b = in.readByte();
      if (b == '\n') {
        int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
        result.trySuccess(classify(new String(line, 0, end, StandardCharsets.ISO_8859_1)));
        return;
      }
      if (length == MAX_STATUS_LINE) {
        result.trySuccess(new ProbeResult.Failed("no HTTP status line within " + MAX_STATUS_LINE + " bytes"));
        return;
      }
      line[length++] = b;
    }
  }

  /** 2xx and 3xx pass (as HAProxy's {@code httpchk}); any other status or a line that is not a status line fails. */
  static ProbeResult classify(String statusLine) {
    Matcher m = STATUS_LINE.matcher(statusLine);
    if (!m.matches()) {
      String shown = statusLine.length() > 40 ? statusLine.substring(0, 40) + "..." : statusLine;
      return new ProbeResult.Failed("not an HTTP status line: \"" + shown.replaceAll("[^\\x20-\\x7e]", "?") + "\"");
    }
    int status = Integer.parseInt(m.group(1));
    String text = "HTTP " + status;
    return status >= 200 && status < 400 ? new ProbeResult.Passed(text) : new ProbeResult.Failed(text);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    result.trySuccess(new ProbeResult.Failed("connection closed before an HTTP status line"));
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    result.trySuccess(new ProbeResult.Failed("read failed: " + HealthProbe.describe(cause)));
    ctx.close();
  }
}
