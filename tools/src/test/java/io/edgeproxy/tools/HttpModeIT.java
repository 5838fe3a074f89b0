package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.config.EdgeTlsConfig;
import io.edgeproxy.core.testing.LocalPorts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Apps in HTTP mode on the HTTPS edge, with real clients: curl over HTTP/2 and HTTP/1.1, raw TLS
 * sockets for what curl will not send (request smuggling shapes), backends on raw sockets that
 * misbehave on purpose.
 */
@Timeout(120)
class HttpModeIT extends HttpsEdgeTestBase {
  private static final long BACKEND_TIMEOUT_MS = 1_500;
  private EdgeNode node;
  private int port;
  private TestHttpBackend echo;

  @BeforeEach
  void pop() throws Exception {
    Path certs = dir.resolve("certs");
    issue(certs, "apps", "*.apps.test");
    issue(certs, "wild", "*.wild.test");
    node = startNode(dir.resolve("pop"), c -> c.withTls(EdgeTlsConfig.forTest().withDomain("apps.test").withCertificatesDir(certs)
        .withHttpListen(new InetSocketAddress("127.0.0.1", 0)).withBackendTimeout(Duration.ofMillis(BACKEND_TIMEOUT_MS))
        .withAccessLog(true)));
    port = node.edgeAddress().getPort();
    echo = backend((request, out, in) -> {
      StringBuilder body = new StringBuilder(request.method() + " " + request.target() + "\n");
      request.headers().forEach((name, values) -> values.forEach(v -> body.append(name).append(": ").append(v).append('\n')));
      body.append("body-bytes: ").append(request.body().length).append('\n');
      TestHttpBackend.ok(out, body.toString(), request.method().equals("HEAD"));
      return true;
    });
    sql(node, "INSERT INTO apps (name, protocol) VALUES ('web', 'http'), ('tcpapp', 'tcp')");
    sql(node, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('web-1', 'web', 'sa', '127.0.0.1', " + echo.port() + "),"
        + " ('tcp-1', 'tcpapp', 'sa', '127.0.0.1', " + httpBackend("tcp-backend") + ")");
  }

  private TestHttpBackend backend(TestHttpBackend.Responder responder) throws IOException {
    TestHttpBackend b = new TestHttpBackend(responder);
    closers.add(b);
    return b;
  }

  private String curlAt(String url, String host, int atPort, String... extra) throws Exception {
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "--cacert", caPem.toString(),
        "--resolve", host + ":" + atPort + ":127.0.0.1"));
    command.addAll(List.of(extra));
    command.add(url);
    return run(30, command.toArray(String[]::new)).out();
  }

  private String https(String host, String path, String... extra) throws Exception {
    return curlAt("https://" + host + ":" + port + path, host, port, extra);
  }

  @Test
  void http2AndHttp11ReachTheAppWithForwardingHeadersAndWithoutHopByHopOnes() throws Exception {
    String h2 = https("web.apps.test", "/a?b=1", "--http2", "-w", "\n%{http_version}");
    assertThat(h2).startsWith("GET /a?b=1\n").endsWith("\n2")
        .contains("x-forwarded-for: 127.0.0.1\n", "x-forwarded-proto: https\n", "x-forwarded-host: web.apps.test:" + port + "\n",
            "forwarded: for=127.0.0.1;proto=https;host=\"web.apps.test:" + port + "\"\n", "host: web.apps.test:" + port + "\n")
        .doesNotContain("x-http2-", ":authority");

    String h1 = https("web.apps.test", "/", "--http1.1", "-w", "\n%{http_version}", "-H", "Connection: keep-alive, x-drop",
        "-H", "X-Drop: secret", "-H", "X-Forwarded-For: 10.9.8.7", "-H", "Keep-Alive: timeout=5");
    assertThat(h1).endsWith("\n1.1").contains("x-forwarded-for: 10.9.8.7, 127.0.0.1\n")
        .doesNotContain("x-drop", "keep-alive", "connection:");
  }

  @Test
  void aClientAskingToCloseIsToldAndAnHttp10ClientKeepsItsConnectionOnlyWhenAsking() throws Exception {
    assertThat(https("web.apps.test", "/", "--http1.1", "-H", "Connection: close", "-D", "-", "-o", "/dev/null"))
        .containsIgnoringCase("connection: close");
    assertThat(https("web.apps.test", "/", "--http1.0", "-H", "Connection: keep-alive", "-D", "-", "-o", "/dev/null"))
        .containsIgnoringCase("connection: keep-alive");
  }

  @Test
  void headRequestsAndPipelinedRequestsAreAnsweredInOrder() throws Exception {
    assertThat(https("web.apps.test", "/h", "--http2", "-I", "-o", "/dev/null", "-w", "%{http_code} %{size_download}"))
        .isEqualTo("200 0");
    assertThat(https("web.apps.test", "/h", "--http1.1", "-I", "-o", "/dev/null", "-w", "%{http_code} %{size_download}"))
        .isEqualTo("200 0");
    try (SSLSocket socket = tlsClient(port, "web.apps.test")) {
      socket.getOutputStream().write(("GET /first HTTP/1.1\r\nHost: web.apps.test\r\n\r\n"
          + "HEAD /second HTTP/1.1\r\nHost: web.apps.test\r\n\r\n"
          + "GET /third HTTP/1.1\r\nHost: web.apps.test\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(all.indexOf("GET /first")).isPositive().isLessThan(all.indexOf("GET /third"));
      assertThat(all.split("HTTP/1.1 200 OK", -1)).hasSize(4); // three responses, the HEAD one without its body
      assertThat(all).doesNotContain("HEAD /second"); // a HEAD response has no body
    }
    assertThat(echo.requests()).extracting(TestHttpBackend.Request::target).containsSubsequence("/first", "/second", "/third");
  }

  @Test
  void aClientSlowToSendItsRequestHeadIsClosedAfterTheHelloTimeout() throws Exception {
    try (SSLSocket socket = tlsClient(port, "web.apps.test")) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: web.apps.test\r\n".getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      long start = System.nanoTime();
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5)); // hello timeout: 2 s
    }
    assertThat(echo.requests()).isEmpty();
  }

  @Test
  void anExactHostnameRowAndTheDomainBothRouteAndTheBackendPoolIsReused() throws Exception {
    TestHttpBackend api = backend(TestHttpBackend.named("api-backend"));
    sql(node, "INSERT INTO apps (name, protocol) VALUES ('api', 'http')");
    sql(node, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('api-1', 'api', 'sa', '127.0.0.1', " + api.port() + ")");
    sql(node, "INSERT INTO hostnames (hostname, app) VALUES ('api.example.test', 'api')");
    tlsAdd(node, "api.example.test", issue(dir.resolve("table"), "api", "api.example.test"));
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(https("api.example.test", "/")).isEqualTo("api-backend\n"));

    for (int i = 0; i < 10; i++) {
      assertThat(https("api.example.test", "/", i % 2 == 0 ? "--http2" : "--http1.1")).isEqualTo("api-backend\n");
    }
    assertThat(api.requests()).hasSize(11);
    sql(node, "INSERT INTO hostnames (hostname, app) VALUES ('*.wild.test', 'api')");
    for (String protocol : List.of("--http2", "--http1.1")) {
      assertThat(https("x.wild.test", "/", protocol, "-w", " %{http_version}")).startsWith("api-backend\n ");
    }
    int ioThreads = node.config().proxy().ioThreads() > 0 ? node.config().proxy().ioThreads() : Runtime.getRuntime().availableProcessors();
    assertThat(api.connections()).as("sequential requests share a pooled backend connection per I/O thread")
        .isLessThanOrEqualTo(ioThreads);
  }

  @Test
  void aHostNamingNoHttpAppGets421() throws Exception {
    assertThat(https("web.apps.test", "/", "-H", "Host: tcpapp.apps.test", "-w", "%{http_code}"))
        .contains("no app is served at tcpapp.apps.test here").endsWith("421");
    assertThat(https("web.apps.test", "/", "--http2", "-H", "Host: nothing.example", "-w", "%{http_code}"))
        .contains("no app is served at nothing.example here").endsWith("421");
    assertThat(echo.requests()).isEmpty();
  }

  @Test
  void aRefusedConnectIsRetriedOnAnotherBackendAndNoneLeftIs502Or503() throws Exception {
    int dead = LocalPorts.tcp().getPort();
    sql(node, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('web-dead', 'web', 'sa', '127.0.0.1', " + dead + ")");
    for (int i = 0; i < 10; i++) {
      assertThat(https("web.apps.test", "/", "-o", "/dev/null", "-w", "%{http_code}")).isEqualTo("200");
    }
    sql(node, "DELETE FROM backends WHERE id = 'web-1'");
    assertThat(https("web.apps.test", "/", "-w", "\n%{http_code}"))
        .contains("502 Bad Gateway: could not connect to a backend of app web (tried web-dead)").endsWith("502");
    sql(node, "DELETE FROM backends WHERE id = 'web-dead'");
    assertThat(https("web.apps.test", "/", "--http2", "-w", "\n%{http_code}"))
        .contains("503 Service Unavailable: app web has no healthy backend").endsWith("503");
  }

  @Test
  void aBackendThatDoesNotAnswerGets504AndOneThatClosesGets502() throws Exception {
    TestHttpBackend silent = backend((request, out, in) -> {
      sleep(BACKEND_TIMEOUT_MS * 3);
      return false;
    });
    TestHttpBackend closing = backend((request, out, in) -> false);
    sql(node, "INSERT INTO apps (name, protocol) VALUES ('slow', 'http'), ('rude', 'http')");
    sql(node, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('slow-1', 'slow', 'sa', '127.0.0.1', " + silent.port()
        + "), ('rude-1', 'rude', 'sa', '127.0.0.1', " + closing.port() + ")");
    long start = System.nanoTime();
    assertThat(https("slow.apps.test", "/", "-w", "\n%{http_code}"))
        .contains("504 Gateway Timeout: backend slow-1 of app slow did not start its response within 1500 ms").endsWith("504");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(BACKEND_TIMEOUT_MS * 2));
    assertThat(https("rude.apps.test", "/", "--http2", "-w", "\n%{http_code}"))
        .contains("502 Bad Gateway: backend rude-1 of app rude closed the connection before responding").endsWith("502");
  }

  @Test
  void aPooledConnectionTheBackendDropsIsRetriedOnANewOneForAnIdempotentRequest() throws Exception {
    ThreadLocal<int[]> served = ThreadLocal.withInitial(() -> new int[1]); // one thread per backend connection
    TestHttpBackend oneShot = backend((request, out, in) -> {
      if (served.get()[0]++ > 0) {
        return false; // a kept connection's next request: closed unanswered, the keep-alive race at its worst
      }
      TestHttpBackend.ok(out, "fresh\n");
      return true;
    });
    sql(node, "INSERT INTO apps (name, protocol) VALUES ('once', 'http')");
    sql(node, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('once-1', 'once', 'sa', '127.0.0.1', " + oneShot.port() + ")");
    for (int i = 0; i < 6; i++) {
      assertThat(https("once.apps.test", "/", "-w", " %{http_code}")).isEqualTo("fresh\n 200");
    }
    assertThat(oneShot.requests().size()).as("some requests met a dropped pooled connection and were sent again")
        .isGreaterThan(6);
  }

  @Test
  void requestsInFlightCountAgainstTheHardLimit() throws Exception {
    TestHttpBackend slow = backend((request, out, in) -> {
      sleep(1_000);
      TestHttpBackend.ok(out, "slow\n");
      return true;
    });
    sql(node, "INSERT INTO apps (name, protocol) VALUES ('one', 'http')");
    sql(node, "INSERT INTO backends (id, app, region, wg_ip, port, soft_limit, hard_limit) VALUES"
        + " ('one-1', 'one', 'sa', '127.0.0.1', " + slow.port() + ", 1, 1)");
    CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> quietly(() -> https("one.apps.test", "/", "-w", " %{http_code}")));
    await().atMost(Duration.ofSeconds(5)).until(() -> slow.requests().size() == 1);
    assertThat(https("one.apps.test", "/", "-w", "\n%{http_code}"))
        .contains("503 Service Unavailable: all 1 healthy backends of app one are at their limit").endsWith("503");
    assertThat(first.get()).isEqualTo("slow\n 200");
  }

  @Test
  void smugglingShapesAndOversizedHeadsGet400AndReachNoBackend() throws Exception {
    String[] bad = {
        "POST / HTTP/1.1\r\nHost: web.apps.test\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX",
        "POST / HTTP/1.1\r\nHost: web.apps.test\r\nContent-Length: 6\r\nContent-Length: 5\r\n\r\nhello!",
        "POST / HTTP/1.1\r\nHost: web.apps.test\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: web.apps.test\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: web.apps.test\r\nHost: tcpapp.apps.test\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: web.apps.test\r\nX-Big: " + "a".repeat(40_000) + "\r\n\r\n",
        "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: web.apps.test\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",
    };
    for (String request : bad) {
      try (SSLSocket socket = tlsClient(port, "web.apps.test")) {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
        String status = in.readLine();
        assertThat(status).as(request.substring(0, Math.min(60, request.length()))).isEqualTo("HTTP/1.1 400 Bad Request");
        String rest = readAll(in);
        assertThat(rest).contains("connection: close").contains("400 Bad Request: ");
      }
    }
    assertThat(echo.requests()).as("nothing reached the backend").isEmpty();
  }

  @Test
  void largeBodiesStreamBothWaysOverBothProtocols() throws Exception {
    byte[] upload = new byte[12 << 20];
    new Random(7).nextBytes(upload);
    Path file = dir.resolve("upload.bin");
    Files.write(file, upload);
    TestHttpBackend hasher = backend((request, out, in) -> {
      if (request.method().equals("GET")) {
        out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] chunk = new byte[64 << 10];
        java.util.Arrays.fill(chunk, (byte) 'x');
        for (int i = 0; i < 480; i++) { // 30 MiB
          out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
          out.write(chunk);
          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return true;
      }
      TestHttpBackend.ok(out, sha256(request.body()) + " " + request.body().length + "\n");
      return true;
    });
    sql(node, "INSERT INTO apps (name, protocol) VALUES ('big', 'http')");
    sql(node, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('big-1', 'big', 'sa', '127.0.0.1', " + hasher.port() + ")");
    String expected = sha256(upload) + " " + upload.length + "\n";
    assertThat(https("big.apps.test", "/up", "--http2", "--data-binary", "@" + file)).isEqualTo(expected);
    assertThat(https("big.apps.test", "/up", "--http1.1", "--data-binary", "@" + file)).isEqualTo(expected);
    assertThat(https("big.apps.test", "/up", "--http1.1", "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + file))
        .isEqualTo(expected);
    for (String protocol : List.of("--http2", "--http1.1")) {
      assertThat(https("big.apps.test", "/down", protocol, "-o", "/dev/null", "-w", "%{size_download} %{http_code}"))
          .isEqualTo((30L << 20) + " 200");
    }
  }

  @Test
  void http2StreamsShareOneConnectionAndExpectationsAreAnsweredAtTheEdge() throws Exception {
    Path form = dir.resolve("form.bin");
    Files.write(form, new byte[100_000]);
    assertThat(https("web.apps.test", "/up", "--http2", "-H", "Expect: 100-continue", "--data-binary", "@" + form))
        .startsWith("POST /up\n").contains("body-bytes: 100000\n").doesNotContainIgnoringCase("expect:");
    assertThat(https("web.apps.test", "/up", "--http2", "-H", "Expect: tea", "-o", "/dev/null", "-w", "%{http_code}"))
        .isEqualTo("417");
    assertThat(echo.requests()).as("the refused expectation reached no backend").hasSize(1);

    // 200 requests multiplexed, up to 100 at once, on as few connections as curl needs.
    List<String> command = new ArrayList<>(List.of("--http2", "--parallel", "--parallel-max", "100", "-w", "%{num_connects}\n"));
    for (int i = 0; i < 200; i++) {
      command.addAll(List.of("-o", "/dev/null", "https://web.apps.test:" + port + "/p" + i));
    }
    command.addAll(List.of("-o", "/dev/null")); // for the last one, which curlAt adds
    String out = curlAt("https://web.apps.test:" + port + "/p200", "web.apps.test", port, command.toArray(String[]::new));
    List<String> connects = out.lines().filter(l -> l.matches("\\d+")).toList(); // curl's parallel progress lines aside
    assertThat(connects).as("one line per transfer").hasSize(201);
    assertThat(connects.stream().mapToInt(Integer::parseInt).sum()).as("connections made").isLessThanOrEqualTo(3);
    assertThat(echo.requests()).hasSize(202);
  }

  @Test
  void aSlowClientSlowsTheBackendDownInsteadOfTheEdgeBufferingTheResponse() throws Exception {
    java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
    TestHttpBackend firehose = backend((request, out, in) -> {
      out.write("HTTP/1.1 200 OK\r\nContent-Length: 268435456\r\n\r\n".getBytes(StandardCharsets.US_ASCII)); // 256 MiB
      byte[] chunk = new byte[64 << 10];
      for (int i = 0; i < 4096; i++) {
        out.write(chunk); // blocks once nobody reads further along
        written.addAndGet(chunk.length);
      }
      return false;
    });
    sql(node, "INSERT INTO apps (name, protocol) VALUES ('fire', 'http')");
    sql(node, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('fire-1', 'fire', 'sa', '127.0.0.1', " + firehose.port() + ")");
    for (String protocol : List.of("--http1.1", "--http2")) {
      written.set(0);
      // curl reads 256 KiB/s for 3 s (about 1 MiB), then gives up.
      https("fire.apps.test", "/", protocol, "--limit-rate", "256K", "--max-time", "3", "-o", "/dev/null");
      assertThat(written.get()).as("bytes the backend could write through %s to a slow client", protocol)
          .isLessThan(48L << 20); // socket buffers on three connections, not the 256 MiB response
    }
  }

  @Test
  void thePlainListenerServesAnAppWithoutRedirectAndRedirectsTheOthers() throws Exception {
    int http = node.proxy().httpAddress().getPort();
    sql(node, "UPDATE apps SET http_redirect = 0 WHERE name = 'web'");
    sql(node, "INSERT INTO apps (name, protocol) VALUES ('secure', 'http')");
    assertThat(curlAt("http://web.apps.test:" + http + "/p", "web.apps.test", http))
        .startsWith("GET /p\n").contains("x-forwarded-proto: http\n");
    assertThat(curlAt("http://secure.apps.test:" + http + "/p?q", "secure.apps.test", http, "-o", "/dev/null", "-w",
        "%{http_code} %{redirect_url}")).isEqualTo("308 https://secure.apps.test:" + port + "/p?q");
    assertThat(curlAt("http://tcpapp.apps.test:" + http + "/", "tcpapp.apps.test", http, "-o", "/dev/null", "-w",
        "%{http_code}")).isEqualTo("308");
  }

  @Test
  void aWebSocketUpgradeBecomesAByteRelay() throws Exception {
    TestHttpBackend ws = backend((request, out, in) -> {
      String accept = java.util.Base64.getEncoder().encodeToString(sha1(
          (request.header("sec-websocket-key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
      out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
          + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      while (true) { // echo text frames, unmasked
        int b0 = in.read();
        if (b0 < 0) {
          return false;
        }
        int len = in.read() & 0x7f;
        byte[] mask = in.readNBytes(4);
        byte[] payload = in.readNBytes(len);
        for (int i = 0; i < len; i++) {
          payload[i] ^= mask[i % 4];
        }
        out.write(new byte[] {(byte) 0x81, (byte) len});
        out.write(payload);
        out.flush();
      }
    });
    sql(node, "INSERT INTO apps (name, protocol) VALUES ('chat', 'http')");
    sql(node, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('chat-1', 'chat', 'sa', '127.0.0.1', " + ws.port() + ")");
    try (SSLSocket socket = tlsClient(port, "chat.apps.test")) {
      OutputStream out = socket.getOutputStream();
      out.write(("GET /ws HTTP/1.1\r\nHost: chat.apps.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      assertThat(TestHttpBackend.line(in)).isEqualTo("HTTP/1.1 101 Switching Protocols");
      List<String> head = new ArrayList<>();
      for (String line = TestHttpBackend.line(in); !line.isEmpty(); line = TestHttpBackend.line(in)) {
        head.add(line.toLowerCase(java.util.Locale.ROOT));
      }
      assertThat(head).contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo=", "upgrade: websocket", "connection: upgrade");
      for (String message : List.of("hello", "through the edge")) {
        byte[] payload = message.getBytes(StandardCharsets.US_ASCII);
        byte[] mask = {1, 2, 3, 4};
        out.write(new byte[] {(byte) 0x81, (byte) (0x80 | payload.length)});
        out.write(mask);
        for (int i = 0; i < payload.length; i++) {
          out.write(payload[i] ^ mask[i % 4]);
        }
        out.flush();
        assertThat(in.read()).isEqualTo(0x81);
        int len = in.read();
        assertThat(new String(in.readNBytes(len), StandardCharsets.US_ASCII)).isEqualTo(message);
      }
    }
  }

  @Test
  void everyRequestIsLoggedAndMeasuredPerAppAndStatus() throws Exception {
    ch.qos.logback.classic.Logger access = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("edgeproxy.access");
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines = new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    access.addAppender(lines);
    access.setLevel(ch.qos.logback.classic.Level.INFO);
    closers.add(() -> access.detachAppender(lines));
    for (int i = 0; i < 3; i++) {
      https("web.apps.test", "/x?y=1", "-o", "/dev/null");
    }
    https("web.apps.test", "/", "-o", "/dev/null", "-H", "Host: nothing.apps.test");
    await().atMost(Duration.ofSeconds(5)).until(() -> lines.list.size() >= 4);
    assertThat(lines.list.getFirst().getFormattedMessage())
        .matches("127\\.0\\.0\\.1 \"web\\.apps\\.test:\\d+\" \"GET /x\\?y=1 HTTP/2\" 200 \\d+ [0-9.]+ web web-1 \"ok\"");
    assertThat(lines.list.get(3).getFormattedMessage()).contains(" 421 ", " - - ", "no app is served at nothing.apps.test here");
    String metrics = curlAt("http://" + hostPort(node.adminAddress()) + "/metrics", "x", 1);
    assertThat(metrics).containsPattern("edge_http_requests_seconds_count\\{app=\"web\",region=\"[a-z]+\",status=\"2xx\"} 3")
        .contains("edge_http_requests_seconds_bucket{app=\"web\"");
  }

  private static String readAll(BufferedReader in) throws IOException {
    StringBuilder out = new StringBuilder();
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      out.append(line.toLowerCase(java.util.Locale.ROOT).startsWith("connection:") ? line.toLowerCase(java.util.Locale.ROOT) : line)
          .append('\n');
    }
    return out.toString();
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] sha1(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(bytes);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private interface Call {
    String call() throws Exception;
  }

  private static String quietly(Call call) {
    try {
      return call.call();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
