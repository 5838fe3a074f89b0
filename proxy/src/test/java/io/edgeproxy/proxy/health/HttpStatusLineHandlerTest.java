package io.edgeproxy.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpStatusLineHandlerTest {
  private final List<ByteBuf> sent = new ArrayList<>();

  private static ByteBuf ascii(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
  }

  /** Feeds {@code parts} to a fresh handler; returns the verdict (null if none yet) and checks buffers were released. */
  private ProbeResult feed(String... parts) {
    EmbeddedChannel ch = new EmbeddedChannel();
    Promise<ProbeResult> result = ch.eventLoop().newPromise();
    ch.pipeline().addLast(new HttpStatusLineHandler(HttpStatusLineHandler.request("/healthz", "10.0.0.1:8080"), result));
    ch.pipeline().fireChannelActive();
    ByteBuf request = ch.readOutbound();
    assertThat(request.toString(StandardCharsets.US_ASCII)).isEqualTo(
        "GET /healthz HTTP/1.1\r\nHost: 10.0.0.1:8080\r\nConnection: close\r\n"
            + "User-Agent: edgeproxy-health-check\r\nAccept: */*\r\n\r\n");
    request.release();
    for (String part : parts) {
      if (!ch.isOpen()) {
        break; // the verdict is in: the rest is never read
      }
      ByteBuf in = ascii(part);
      sent.add(in);
      ch.writeInbound(in);
    }
    boolean openAfterVerdict = ch.isOpen();
    ch.finishAndReleaseAll();
    assertThat(sent).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    if (result.isDone()) {
      assertThat(openAfterVerdict).as("closed once the verdict is in").isFalse();
    }
    return result.getNow();
  }

  @Test
  void a200StatusLineSplitOverReadsPasses() {
    assertThat(feed("HTT", "P/1.1 20", "0 OK\r\nContent-Length: 0\r\n\r\n")).isEqualTo(new ProbeResult.Passed("HTTP 200"));
  }

  @Test
  void a3xxPassesAnd4xxAnd5xxFail() {
    assertThat(feed("HTTP/1.1 302 Found\r\n")).isEqualTo(new ProbeResult.Passed("HTTP 302"));
    assertThat(feed("HTTP/1.0 404 Not Found\r\n")).isEqualTo(new ProbeResult.Failed("HTTP 404"));
    assertThat(feed("HTTP/1.1 503 Service Unavailable\r\n")).isEqualTo(new ProbeResult.Failed("HTTP 503"));
    assertThat(feed("HTTP/1.1 199\n")).isEqualTo(new ProbeResult.Failed("HTTP 199"));
  }

  @Test
  void somethingThatIsNotAStatusLineFails() {
    assertThat(feed("SSH-2.0-OpenSSH_9.6\r\n").text()).startsWith("not an HTTP status line: \"SSH-2.0-OpenSSH_9.6\"");
  }

  @Test
  void aStatusLineLongerThanTheBoundFailsWithoutReadingMore() {
    String endless = "HTTP/1.1 200 " + "x".repeat(HttpStatusLineHandler.MAX_STATUS_LINE);
    assertThat(feed(endless, "more\r\n")).isEqualTo(
        new ProbeResult.Failed("no HTTP status line within " + HttpStatusLineHandler.MAX_STATUS_LINE + " bytes"));
  }

  @Test
  void aCloseBeforeTheLineEndFails() {
    EmbeddedChannel ch = new EmbeddedChannel();
    Promise<ProbeResult> result = ch.eventLoop().newPromise();
    ch.pipeline().addLast(new HttpStatusLineHandler(HttpStatusLineHandler.request("/", "h:1"), result));
    ch.writeInbound(ascii("HTTP/1.1 200 OK"));
    assertThat(result.isDone()).isFalse();
    ch.close();
    ch.finishAndReleaseAll();
    assertThat(result.getNow()).isEqualTo(new ProbeResult.Failed("connection closed before an HTTP status line"));
  }
}
