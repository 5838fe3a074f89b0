package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.core.config.EdgeTlsConfig;
import io.edgeproxy.replication.tls.ClusterPki;
import io.edgeproxy.tools.cli.Cli;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;


/**
 * What the HTTPS edge's socket tests share: a test CA, backends, nodes, real clients (curl,
 * openssl, the CLI), all closed with the test.
 */
abstract class HttpsEdgeTestBase {
  @TempDir Path dir;
  final List<AutoCloseable> closers = new ArrayList<>();
  ClusterPki.Identity ca;
  Path caPem;
  final AtomicInteger passthroughAccepts = new AtomicInteger();

  static Commands.Run run(String... command) throws Exception {
    return Commands.run(command);
  }

  static Commands.Run run(int seconds, String... command) throws Exception {
    return Commands.run(seconds, command);
  }

  @BeforeEach
  void authority() throws Exception {
    ca = ClusterPki.newCa("edge-test");
    caPem = dir.resolve("ca.pem");
    Files.writeString(caPem, ClusterPki.pem(ca.certificate()));
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closers.size() - 1; i >= 0; i--) {
      closers.get(i).close();
    }
  }

  /** An HTTP/1.1 backend (keep-alive) answering every request with its name. */
  int httpBackend(String name) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.createContext("/", exchange -> {
      byte[] body = (name + "\n").getBytes(StandardCharsets.US_ASCII);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    closers.add(() -> server.stop(0));
    return server.getAddress().getPort();
  }

  /** An HTTP backend as nginx answers "Connection: close": the answer and its FIN at once, on its own thread per client. */
  int closingBackend() throws IOException {
    ServerSocket server = new ServerSocket(0, 500, InetAddress.getLoopbackAddress());
    closers.add(server);
    byte[] answer = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\nConnection: close\r\n\r\napi-backend\n".getBytes(StandardCharsets.US_ASCII);
    Thread.ofVirtual().start(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          Thread.ofVirtual().start(() -> {
            try (s) {
              InputStream in = s.getInputStream();
              int matched = 0;
              while (matched < 4) { // to the end of the request head
                int b = in.read();
                if (b < 0) {
                  return;
                }
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
              }
              s.getOutputStream().write(answer);
            } catch (IOException e) {
              // the client went away
            }
          });
        } catch (IOException e) {
          return;
        }
      }
    });
    return server.getLocalPort();
  }

  /** Writes {@code name}'s certificate (issued by the test CA) and key as PEM files; returns the certificate file. */
  Path issue(Path where, String fileName, String name) throws IOException {
    ClusterPki.Identity id = ClusterPki.issue(ca, name);
    Files.createDirectories(where);
    Path crt = where.resolve(fileName + ".crt");
    Files.writeString(crt, ClusterPki.pem(id.certificate()) + ClusterPki.pem(ca.certificate()));
    Files.writeString(where.resolve(fileName + ".key"), ClusterPki.pem(id.key()));
    return crt;
  }

  EdgeNode startNode(Path home, java.util.function.UnaryOperator<EdgeConfig> tweak) throws Exception {
    Files.createDirectories(home);
    EdgeNode node = EdgeNode.start(tweak.apply(EdgeConfig.forTest(home)));
    closers.add(node);
    return node;
  }

  static void sql(EdgeNode node, String statement) {
    node.db().write(statement);
    node.reloadNow();
  }

  String curl(int port, String host, String... extra) throws Exception {
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "--cacert", caPem.toString(),
        "--resolve", host + ":" + port + ":127.0.0.1"));
    command.addAll(Arrays.asList(extra));
    command.add("https://" + host + ":" + port + "/");
    return run(command.toArray(String[]::new)).out().trim();
  }

  int tlsAdd(EdgeNode node, String host, Path crt) {
    return tlsAdd(node, host, crt, Map.of());
  }

  /** {@code edgeproxy tls add} with the agent's environment {@code env} (the seal follows its replication settings). */
  int tlsAdd(EdgeNode node, String host, Path crt, Map<String, String> env) {
    Commands.Run add = tlsAddRun(node, host, crt, env);
    assertThat(add.exit()).as(add.out()).isZero();
    return add.exit();
  }

  /** {@code edgeproxy tls add} run in-process: its exit code, and what it printed (stdout, then stderr). */
  Commands.Run tlsAddRun(EdgeNode node, String host, Path crt, Map<String, String> env) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Cli.run(env, new PrintWriter(out), new PrintWriter(err), "tls", "add", host, "--cert", crt.toString(),
        "--key", crt.resolveSibling(crt.getFileName().toString().replace(".crt", ".key")).toString(),
        "--db", node.config().node().dbPath().toString(), "--admin", hostPort(node.adminAddress()));
    return new Commands.Run(exit, out + "\n" + err);
  }

  static String hostPort(InetSocketAddress a) {
    return a.getHostString() + ":" + a.getPort();
  }

  /** One POP serving web (by domain), api (exact row, certificate in the table), *.wild.test, and pt (passthrough). */
  EdgeNode popWithApps() throws Exception {
    Path certs = dir.resolve("certs");
    issue(certs, "apps", "*.apps.test");
    issue(certs, "wild", "*.wild.test");
    EdgeNode node = startNode(dir.resolve("pop"), c -> c.withTls(EdgeTlsConfig.forTest().withDomain("apps.test").withCertificatesDir(certs)
        .withHttpListen(new InetSocketAddress("127.0.0.1", 0))));
    sql(node, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES"
        + " ('web-1', 'web', 'sa', '127.0.0.1', " + httpBackend("web-backend") + "),"
        + " ('api-1', 'api', 'sa', '127.0.0.1', " + httpBackend("api-backend") + "),"
        + " ('wild-1', 'wild', 'sa', '127.0.0.1', " + httpBackend("wild-backend") + ")");
    sql(node, "INSERT INTO hostnames (hostname, app, mode) VALUES ('api.example.test', 'api', 'terminate'),"
        + " ('*.wild.test', 'wild', 'terminate')");
    tlsAdd(node, "api.example.test", issue(dir.resolve("table"), "api", "api.example.test"));
    return node;
  }


  SSLSocket tlsClient(int port, String host) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setServerNames(List.of(new SNIHostName(host)));
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    socket.setSSLParameters(parameters);
    socket.setSoTimeout(5_000);
    return socket;
  }

  /** One HTTP/1.1 keep-alive GET over {@code socket}; returns the body's first line. */
  static String request(SSLSocket socket, BufferedReader in) throws IOException {
    socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: api.example.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    int length = 0;
    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    char[] body = new char[length];
    int read = 0;
    while (read < length) {
      read += in.read(body, read, length - read);
    }
    return new String(body).trim();
  }
}
