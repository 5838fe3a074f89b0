package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.config.CacheConfig;
import io.edgeproxy.core.config.EdgeTlsConfig;
import io.edgeproxy.sql.ApiTokens;
import io.edgeproxy.tools.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Edge auth (apps.auth = 'token') on real sockets: curl over HTTPS, tokens made with the CLI, an
 * origin that records every request it gets. A request without a client token of its app gets 401
 * from the edge and never reaches the origin; one with a token passes, without it, and its
 * response is cached as if it had no Authorization; client tokens open nothing else.
 */
@Timeout(120)
class EdgeAuthIT extends HttpsEdgeTestBase {
  private EdgeNode node;
  private int port;
  private final List<String> seen = new CopyOnWriteArrayList<>();

  @BeforeEach
  void pop() throws Exception {
    Path certs = dir.resolve("certs");
    issue(certs, "apps", "*.apps.test");
    node = startNode(dir.resolve("pop"), c -> c.withTls(EdgeTlsConfig.forTest().withDomain("apps.test").withCertificatesDir(certs)
        .withCache(new CacheConfig(16L << 20, 1L << 20))));
    port = node.edgeAddress().getPort();
    TestHttpBackend origin = new TestHttpBackend((request, out, in) -> {
      String authorization = request.header("authorization");
      seen.add(request.target() + " authorization=" + authorization);
      byte[] body = ("page " + seen.size()).getBytes(StandardCharsets.US_ASCII);
      out.write(("HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: " + body.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      return true;
    });
    closers.add(origin);
    sql(node, "INSERT INTO apps (name, protocol, cache, auth) VALUES ('web', 'http', 1, 'token'), ('open', 'http', 0, 'none')");
    sql(node, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('web-1', 'web', 'sa', '127.0.0.1', " + origin.port()
        + "), ('open-1', 'open', 'sa', '127.0.0.1', " + origin.port() + ")");
  }

  /** {@code edgeproxy token create ARGS} against the node's routing.db: the token it printed. */
  private String token(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> argv = new ArrayList<>(List.of("token", "create"));
    argv.addAll(List.of(args));
    argv.addAll(List.of("--db", node.config().node().dbPath().toString()));
    int exit = Cli.run(java.util.Map.of(), new PrintWriter(out), new PrintWriter(err), argv.toArray(String[]::new));
    assertThat(exit).as(err.toString()).isZero();
    node.reloadNow();
    return out.toString().strip();
  }

  /** Status line, WWW-Authenticate and Cache-Status as curl saw them, and the body. */
  private record Got(int status, String challenge, String cacheStatus, String body) {}

  private Got get(String app, String path, String... extra) throws Exception {
    Path headers = Files.createTempFile(dir, "h", ".txt");
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "--cacert", caPem.toString(),
        "--resolve", app + ".apps.test:" + port + ":127.0.0.1", "-D", headers.toString(), "-w", "\n%{http_code}"));
    command.addAll(List.of(extra));
    command.add("https://" + app + ".apps.test:" + port + path);
    String out = run(command.toArray(String[]::new)).out();
    int cut = out.lastIndexOf('\n');
    String challenge = "";
    String cacheStatus = "";
    for (String line : Files.readAllLines(headers)) {
      String lower = line.toLowerCase(java.util.Locale.ROOT);
      if (lower.startsWith("www-authenticate:")) {
        challenge = line.substring(17).strip();
      } else if (lower.startsWith("cache-status:")) {
        cacheStatus = line.substring(13).strip();
      }
    }
    return new Got(Integer.parseInt(out.substring(cut + 1).trim()), challenge, cacheStatus, out.substring(0, cut));
  }

  @Test
  void withoutAClientTokenOfTheAppARequestGets401AndNeverReachesTheOrigin() throws Exception {
    String other = token("--client", "open");
    String admin = token("--admin");
    String appToken = token("--app", "web");
    Got none = get("web", "/a", "--http2");
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.challenge()).isEqualTo("Bearer realm=\"web\"");
    assertThat(none.body()).contains("needs a client token").contains("edgeproxy token create --client web");
    for (String header : List.of("Authorization: Basic dTpw", "Authorization: Bearer edc_made-up", "Authorization: Bearer " + other,
        "Authorization: Bearer " + admin, "Authorization: Bearer " + appToken)) {
      Got refused = get("web", "/a", "--http1.1", "-H", header);
      assertThat(refused.status()).as(header).isEqualTo(401);
    }
    assertThat(get("web", "/a", "-H", "Authorization: Bearer " + other).challenge()).contains("error=\"invalid_token\"");
    assertThat(seen).as("the origin saw none of them").isEmpty();
    assertThat(get("open", "/a").status()).as("an app without edge auth").isEqualTo(200);
  }

  @Test
  void aClientTokenPassesIsNotSentOnAndItsResponseIsCachedForEveryToken() throws Exception {
    String first = token("--client", "web", "--note", "first");
    String second = token("--client", "web", "--note", "second");
    Got miss = get("web", "/page", "--http2", "-H", "Authorization: Bearer " + first);
    assertThat(miss.status()).isEqualTo(200);
    assertThat(miss.cacheStatus()).contains("stored"); // no Authorization left: stored without public or s-maxage
    Got hit = get("web", "/page", "--http1.1", "-H", "Authorization: Bearer " + second);
    assertThat(hit.body()).isEqualTo(miss.body());
    assertThat(hit.cacheStatus()).contains("hit");
    assertThat(get("web", "/page").status()).as("a hit still needs a token").isEqualTo(401);
    assertThat(seen).containsExactly("/page authorization=null");

    node.db().write("DELETE FROM client_tokens WHERE note = 'second'"); // revoked
    node.reloadNow();
    assertThat(get("web", "/page", "-H", "Authorization: Bearer " + second).status()).isEqualTo(401);
    assertThat(get("web", "/page", "-H", "Authorization: Bearer " + first).status()).isEqualTo(200);
  }

  @Test
  void aClientTokenIsNotAnApiTokenAndABadRowIsSkippedByName() throws Exception {
    String client = token("--client", "web");
    try (var db = io.edgeproxy.sql.RoutingDb.open(node.config().node().dbPath())) {
      assertThat(new ApiTokens(db).scopeOf(client)).as("the discovery API and tunnels know only api_tokens").isEmpty();
    }
    node.db().write("INSERT INTO client_tokens (hash, app) VALUES ('not-a-hash', 'web')");
    node.db().write("UPDATE apps SET auth = 'maybe' WHERE name = 'open'");
    node.reloadNow();
    String problems = String.join("\n", node.db().load(io.edgeproxy.sql.LeaseRule.defaults(), System.currentTimeMillis()).problems());
    assertThat(problems).contains("client_tokens row (rowid 2) skipped: hash: 'not-a-hash' (expected: 64 lower-case hex digits");
    assertThat(problems).contains("apps row (rowid 2) skipped: auth: 'maybe' (expected: 'none' or 'token') (until it is fixed,"
        + " requests to the app need a client token)");
    assertThat(get("open", "/x").status()).as("edge auth fails closed").isEqualTo(401);
    assertThat(get("web", "/x", "-H", "Authorization: Bearer " + client).status()).as("the rest still serves").isEqualTo(200);
  }
}
