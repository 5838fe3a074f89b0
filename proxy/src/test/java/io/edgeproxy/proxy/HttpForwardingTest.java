package io.edgeproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Messages as the decoders read them off a socket, through {@link HttpForwarding}, and written out
 * again by the encoders: the bytes the next hop gets.
 */
class HttpForwardingTest {
  private static HttpResponse backendResponse(String text) {
    return decoded(new HttpResponseDecoder(), text);
  }

  private static HttpRequest clientRequest(String text) {
    return decoded(new HttpRequestDecoder(), text);
  }

  /** The message head {@code decoder} reads from {@code text} (the body parts it makes are dropped). */
  private static <T extends HttpMessage> T decoded(io.netty.channel.ChannelHandler decoder, String text) {
    EmbeddedChannel channel = new EmbeddedChannel(decoder);
    channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    T head = channel.readInbound();
    Object rest;
    while ((rest = channel.readInbound()) != null) {
      ReferenceCountUtil.release(rest);
    }
    channel.finishAndReleaseAll();
    return head;
  }

  private static String encoded(HttpMessage message) {
    EmbeddedChannel channel = new EmbeddedChannel(message instanceof HttpRequest ? new HttpRequestEncoder() : new HttpResponseEncoder());
    channel.writeOutbound(message);
    StringBuilder out = new StringBuilder();
    ByteBuf part;
    while ((part = channel.readOutbound()) != null) {
      out.append(part.toString(StandardCharsets.ISO_8859_1));
      part.release();
    }
    channel.finishAndReleaseAll();
    return out.toString();
  }

  @Test
  void aResponseLosesItsHopByHopFieldsAndKeepsTheRestAsTheBackendWroteThem() {
    HttpResponse backend = backendResponse("HTTP/1.1 200 OK\r\n"
        + "Content-Type: text/plain\r\n"
        + "Connection: keep-alive, X-Secret\r\n"
        + "Keep-Alive: timeout=5\r\n"
        + "x-secret: only for the edge\r\n"
        + "Set-Cookie: a=1\r\n"
        + "Proxy-Connection: keep-alive\r\n"
        + "Trailer: X-Sum\r\n"
        + "Upgrade: h2c\r\n"
        + "Proxy-Authenticate: Basic\r\n"
        + "X-HTTP2-Stream-Id: 3\r\n"
        + "Set-Cookie: b=2\r\n"
        + "Content-Length: 5\r\n"
        + "\r\n");

    String out = encoded(HttpForwarding.toClient(backend, false, true, false, false));

    assertThat(out).isEqualTo("HTTP/1.1 200 OK\r\n"
        + "Content-Type: text/plain\r\n"
        + "Set-Cookie: a=1\r\n"
        + "Set-Cookie: b=2\r\n"
        + "Content-Length: 5\r\n"
        + "\r\n");
  }

  @Test
  void aLoneConnectionTokenInAnyCaseIsHopByHopAsInAList() {
    for (String connection : new String[] {"Keep-Alive", "KEEP-ALIVE", "close", "Close", "keep-alive, Close"}) {
      HttpResponse backend = backendResponse("HTTP/1.1 200 OK\r\n"
          + "Connection: " + connection + "\r\n"
          + "Keep-Alive: timeout=5\r\n"
          + "close: named by Connection\r\n"
          + "Content-Length: 0\r\n"
          + "\r\n");

      String out = encoded(HttpForwarding.toClient(backend, false, true, false, false));

      assertThat(out).as(connection).isEqualTo("HTTP/1.1 200 OK\r\n"
          + (connection.toLowerCase(java.util.Locale.ROOT).contains("close") ? "" : "close: named by Connection\r\n")
          + "Content-Length: 0\r\n"
          + "\r\n");
    }
  }

  @Test
  void aResponseOfUnstatedLengthGoesChunkedToAnHttp1ClientAndSaysWhenTheConnectionCloses() {
    HttpResponse backend = backendResponse("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n");

    String out = encoded(HttpForwarding.toClient(backend, false, true, false, true));

    assertThat(out).isEqualTo("HTTP/1.1 200 OK\r\n"
        + "Content-Type: text/plain\r\n"
        + "transfer-encoding: chunked\r\n"
        + "connection: close\r\n"
        + "\r\n");
  }

  @Test
  void bodilessResponsesAndHttp2ClientsGetNoChunkedFraming() {
    assertThat(encoded(HttpForwarding.toClient(backendResponse("HTTP/1.1 200 OK\r\nETag: \"x\"\r\n\r\n"), false, true, true, false)))
        .isEqualTo("HTTP/1.1 200 OK\r\nETag: \"x\"\r\n\r\n");
    assertThat(encoded(HttpForwarding.toClient(backendResponse("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n"), false, true, false,
        false))).isEqualTo("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n");
    assertThat(encoded(HttpForwarding.toClient(backendResponse("HTTP/1.1 200 OK\r\nETag: \"x\"\r\n\r\n"), false, false, false, false)))
        .isEqualTo("HTTP/1.1 200 OK\r\nETag: \"x\"\r\n\r\n");
  }

  @Test
  void anAcceptedUpgradeKeepsSayingSo() {
    HttpResponse backend = backendResponse("HTTP/1.1 101 Switching Protocols\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: abc\r\nKeep-Alive: timeout=5\r\n\r\n");

    String out = encoded(HttpForwarding.toClient(backend, true, true, false, false));

    assertThat(out).isEqualTo("HTTP/1.1 101 Switching Protocols\r\n"
        + "Sec-WebSocket-Accept: abc\r\n"
        + "connection: upgrade\r\n"
        + "upgrade: websocket\r\n"
        + "\r\n");
  }

  @Test
  void aRequestGoesToTheBackendWithItsEndToEndFieldsAndTheForwardingOnes() throws Exception {
    HttpRequest client = clientRequest("GET /a?b=1 HTTP/1.1\r\n"
        + "Host: shop.example.com\r\n"
        + "Connection: keep-alive, X-Hop\r\n"
        + "X-Hop: 1\r\n"
        + "TE: trailers\r\n"
        + "Proxy-Authorization: Basic eA==\r\n"
        + "Accept: */*\r\n"
        + "X-Forwarded-For: 198.51.100.7\r\n"
        + "Forwarded: for=198.51.100.7\r\n"
        + "\r\n");

    String out = encoded(HttpForwarding.toBackend(client, InetAddress.getByName("2001:db8::1"), "https", "shop.example.com",
        null, false));

    assertThat(out).isEqualTo("GET /a?b=1 HTTP/1.1\r\n"
        + "Host: shop.example.com\r\n"
        + "Accept: */*\r\n"
        + "x-forwarded-for: 198.51.100.7, 2001:db8:0:0:0:0:0:1\r\n"
        + "x-forwarded-proto: https\r\n"
        + "x-forwarded-host: shop.example.com\r\n"
        + "forwarded: for=198.51.100.7, for=\"[2001:db8:0:0:0:0:0:1]\";proto=https;host=\"shop.example.com\"\r\n"
        + "\r\n");
    assertThat(client.headers().get("X-Hop")).as("the client's message is left as it was").isEqualTo("1");
  }

  @Test
  void anUpgradeRequestKeepsItsUpgradeAndABodilessPostSaysItIsEmpty() throws Exception {
    HttpRequest upgrade = clientRequest("GET /ws HTTP/1.1\r\nHost: a.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
    assertThat(HttpForwarding.upgradeOf(upgrade)).isEqualTo("websocket");
    assertThat(encoded(HttpForwarding.toBackend(upgrade, InetAddress.getByName("192.0.2.1"), "http", null, "websocket", false)))
        .isEqualTo("GET /ws HTTP/1.1\r\nHost: a.example\r\n"
            + "x-forwarded-for: 192.0.2.1\r\nx-forwarded-proto: http\r\nforwarded: for=192.0.2.1;proto=http\r\n"
            + "connection: upgrade\r\nupgrade: websocket\r\n\r\n");

    HttpRequest post = clientRequest("POST /f HTTP/1.1\r\nHost: a.example\r\n\r\n");
    assertThat(encoded(HttpForwarding.toBackend(post, InetAddress.getByName("192.0.2.1"), "https", null, null, false)))
        .contains("content-length: 0\r\n");
  }
}
