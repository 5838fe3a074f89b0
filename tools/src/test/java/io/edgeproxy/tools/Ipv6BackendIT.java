package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.edgeproxy.core.config.DnsConfig;
import io.edgeproxy.core.config.EdgeTlsConfig;
import io.edgeproxy.core.geo.IpAddresses;
import io.edgeproxy.core.routing.Backend;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A whole node with backends on an IPv6 address (the overlay's 6PN; ::1 here), as an operator
 * writes them into routing.db: the row is accepted, the L4 listener relays to [::1]:port both
 * ways, the node's DNS answers AAAA (and an empty A), and an app in HTTP mode reaches its IPv6
 * backend with the client's Host and the forwarding fields, the backend's address nowhere in them.
 * The backends listen on ::1 only, so reaching them at all means the edge connected over IPv6.
 */
@Timeout(120)
class Ipv6BackendIT extends HttpsEdgeTestBase {
  private InetAddress v6;

  @BeforeEach
  void needsIpv6Loopback() {
    v6 = IpAddresses.parseLiteral("::1").orElseThrow();
    try (ServerSocket probe = new ServerSocket(0, 1, v6)) {
      // ::1 is there
    } catch (IOException e) {
      Assumptions.abort("no IPv6 loopback (::1) here: " + e);
    }
  }

  @Test
  void aRowOnIpv6IsRelayedBothWaysOnTheL4ListenerAndAnsweredAsAaaa() throws Exception {
    EdgeNode node = startNode(dir.resolve("pop"), c -> c.withDns(DnsConfig.forTest()));
    ServerSocket backend = new ServerSocket(0, 50, v6);
    closers.add(backend);
    Thread.ofVirtual().start(() -> { // a banner, then an echo until the client's FIN
      while (!backend.isClosed()) {
        try (Socket s = backend.accept()) {
          s.getOutputStream().write(("six-1 sees " + s.getInetAddress().getHostAddress() + "\n").getBytes(StandardCharsets.US_ASCII));
          s.getInputStream().transferTo(s.getOutputStream());
          s.shutdownOutput();
        } catch (IOException e) {
          // the client went away, or the test ended
        }
      }
    });
    sql(node, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('six-1', 'six', 'sa', '::1', " + backend.getLocalPort() + ")");
    assertThat(node.state().current().backends()).as("the row passed validation")
        .extracting(Backend::id, Backend::address).containsExactly(tuple("six-1", v6));

    byte[] upstream = new byte[256 << 10];
    new Random(6).nextBytes(upstream);
    try (Socket client = new Socket()) {
      client.connect(node.proxyAddresses().get(0), 2_000);
      client.setSoTimeout(10_000);
      Thread writer = Thread.ofVirtual().start(() -> {
        try {
          client.getOutputStream().write(upstream);
          client.shutdownOutput();
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      });
      InputStream in = client.getInputStream();
      assertThat(TestHttpBackend.line(in)).isEqualTo("six-1 sees 0:0:0:0:0:0:0:1");
      byte[] echoed = in.readAllBytes();
      writer.join();
      assertThat(Arrays.equals(echoed, upstream)).as("256 KiB to the backend and back (" + echoed.length + " bytes)").isTrue();
    }

    assertThat(dig(node, "+noall", "+answer", "six.internal", "AAAA").replaceAll("\\s+", " ").trim())
        .isEqualTo("six.internal. 5 IN AAAA ::1");
    assertThat(dig(node, "six.internal", "A")).contains("status: NOERROR").contains("ANSWER: 0, AUTHORITY: 1");
  }

  @Test
  void anHttpModeAppOnIpv6GetsTheClientsHostAndForwardingFields() throws Exception {
    Path certs = dir.resolve("certs");
    issue(certs, "apps", "*.apps.test");
    EdgeNode node = startNode(dir.resolve("pop"), c -> c.withTls(EdgeTlsConfig.forTest().withDomain("apps.test").withCertificatesDir(certs)));
    int port = node.edgeAddress().getPort();
    TestHttpBackend echo = new TestHttpBackend(v6, (request, out, in) -> {
      StringBuilder body = new StringBuilder(request.method() + " " + request.target() + "\n");
      request.headers().forEach((name, values) -> values.forEach(v -> body.append(name).append(": ").append(v).append('\n')));
      body.append("body-bytes: ").append(request.body().length).append('\n');
      TestHttpBackend.ok(out, body.toString());
      return true;
    });
    closers.add(echo);
    sql(node, "INSERT INTO apps (name, protocol) VALUES ('six', 'http')");
    sql(node, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('six-1', 'six', 'sa', '::1', " + echo.port() + ")");

    String host = "six.apps.test:" + port;
    String h2 = curl(port, "six.apps.test", "--http2", "-w", "\n%{http_code} %{http_version}", "-H", "X-Forwarded-For: 10.9.8.7");
    assertThat(h2).startsWith("GET /\n")
        .contains("\nhost: " + host + "\n", "\nx-forwarded-for: 10.9.8.7, 127.0.0.1\n", "\nx-forwarded-proto: https\n",
            "\nx-forwarded-host: " + host + "\n", "\nforwarded: for=127.0.0.1;proto=https;host=\"" + host + "\"\n")
        .endsWith("\n200 2").doesNotContain("::1", "0:0:0:0:0:0:0:1");
    String h1 = curl(port, "six.apps.test", "--http1.1", "-w", "\n%{http_code} %{http_version}", "--data-binary", "hello");
    assertThat(h1).startsWith("POST /\n").contains("\nhost: " + host + "\n", "\nx-forwarded-for: 127.0.0.1\n",
            "\nx-forwarded-host: " + host + "\n", "\nbody-bytes: 5\n")
        .endsWith("\n200 1.1").doesNotContain("::1", "0:0:0:0:0:0:0:1");
    assertThat(echo.requests()).extracting(TestHttpBackend.Request::method).containsExactly("GET", "POST");
  }

  /** The real dig against the node's DNS server; its whole output. */
  private static String dig(EdgeNode node, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Commands.dig("@127.0.0.1", "-p", String.valueOf(node.dnsAddress().getPort()),
        "+time=2", "+tries=1")));
    command.addAll(List.of(args));
    return run(30, command.toArray(String[]::new)).out();
  }
}
