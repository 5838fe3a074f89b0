package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeproxy.core.config.ApiConfig;
import io.edgeproxy.core.geo.SocketAddresses;
import io.edgeproxy.sql.ApiTokens;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.tools.cli.Cli;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Write receipts end to end: the discovery API returns one with every write, any POP says which
 * POPs hold it, {@code edgeproxy sql --write} prints one, and {@code edgeproxy wait} exits once the
 * POPs named hold it, or names those that do not.
 */
@Timeout(120)
class WriteReceiptsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern RECEIPT = Pattern.compile("pop-\\d+:\\d+");
  @TempDir Path dir;

  /** The output of one {@code edgeproxy} run. */
  private record Run(int code, String out, String err) {}

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Cli.run(Map.of(), new ByteArrayInputStream(new byte[0]), new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  private static HttpResponse<String> call(String method, String url, String token, String body) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token);
    r.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String api(EdgeNode node) {
    return "http://127.0.0.1:" + node.apiAddress().getPort();
  }

  private static String admin(EdgeNode node) {
    return SocketAddresses.format(node.adminAddress());
  }

  @Test
  void everyApiWriteReturnsAReceiptThatEveryPopHoldsSoonAfterAndWaitSaysSo() throws Exception {
    try (EdgeCluster cluster = EdgeCluster.start(dir, 3, c -> c.withApi(ApiConfig.forTest()))) {
      String token;
      try (RoutingDb db = RoutingDb.open(cluster.db(0))) {
        token = new ApiTokens(db).create("*", "test", System.currentTimeMillis());
      }
      HttpResponse<String> registered = call("POST", api(cluster.node(0)) + "/api/v1/register", token,
          "{\"id\":\"r-1\",\"app\":\"web\",\"region\":\"sa\",\"ip\":\"10.0.0.5\",\"port\":8080}");
      assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
      String receipt = JSON.readTree(registered.body()).path("receipt").asText();
      assertThat(receipt).matches(RECEIPT).startsWith("pop-0:");
      assertThat(registered.headers().firstValue("Edgeproxy-Receipt")).contains(receipt);

      await().atMost(Duration.ofSeconds(10)).until(() ->
          JSON.readTree(call("GET", api(cluster.node(0)) + "/api/v1/receipts/" + receipt, token, null).body())
              .path("all_applied").asBoolean());
      JsonNode status = JSON.readTree(call("GET", api(cluster.node(1)) + "/api/v1/receipts/" + receipt, token, null).body());
      assertThat(status.path("applied").toString()).contains("pop-0", "pop-1", "pop-2");
      assertThat(status.path("missing").size()).isZero();

      Run waited = cli("wait", receipt, "--admin", admin(cluster.node(2)));
      assertThat(waited.code()).as(waited.err()).isZero();
      assertThat(waited.out()).contains("applied on every POP");

      // A heartbeat that writes and a deregistration return receipts too (a later transaction of pop-0).
      HttpResponse<String> deregistered = call("DELETE", api(cluster.node(0)) + "/api/v1/backends/r-1", token, null);
      String later = JSON.readTree(deregistered.body()).path("receipt").asText();
      assertThat(Long.parseUnsignedLong(later.substring(later.indexOf(':') + 1)))
          .isGreaterThan(Long.parseUnsignedLong(receipt.substring(receipt.indexOf(':') + 1)));
      assertThat(cli("wait", later, "--admin", admin(cluster.node(0)), "--timeout", "10s").code()).isZero();
      assertThat(cluster.node(1).state().current().backend("r-1")).isNull();
    }
  }

  @Test
  void sqlWritePrintsAReceiptAndWaitNamesAPopThatIsDown() throws Exception {
    try (EdgeCluster cluster = EdgeCluster.start(dir, 3)) {
      cluster.node(2).close(); // known to the others, but down
      Run written = cli("sql", "--db", cluster.db(0).toString(), "--write", "--admin", admin(cluster.node(0)),
          "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('s-1', 'web', 'sa', '10.0.0.6', 80)");
      assertThat(written.code()).as(written.err()).isZero();
      Matcher m = RECEIPT.matcher(written.err());
      assertThat(m.find()).as(written.err()).isTrue();
      String receipt = m.group();

      Run all = cli("wait", receipt, "--admin", admin(cluster.node(0)), "--timeout", "2s");
      assertThat(all.code()).isEqualTo(1);
      assertThat(all.err()).contains("not applied within 2s on: pop-2").contains("applied on: ");
      Run two = cli("wait", receipt, "--pops", "pop-0,pop-1", "--admin", admin(cluster.node(0)), "--timeout", "10s");
      assertThat(two.code()).as(two.err()).isZero();
      assertThat(two.out()).contains("applied on pop-0, pop-1");
    }
  }

  @Test
  void somethingThatIsNotAReceiptIsRefusedSayingWhatIsExpected() throws Exception {
    try (EdgeCluster cluster = EdgeCluster.start(dir, 1, c -> c.withApi(ApiConfig.forTest()))) {
      String token;
      try (RoutingDb db = RoutingDb.open(cluster.db(0))) {
        token = new ApiTokens(db).create("*", "test", System.currentTimeMillis());
      }
      HttpResponse<String> bad = call("GET", api(cluster.node(0)) + "/api/v1/receipts/nope", token, null);
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.body()).contains("expected: NODE:VERSION");
      Run usage = cli("wait", "nope", "--admin", admin(cluster.node(0)));
      assertThat(usage.code()).isEqualTo(2);
      assertThat(usage.err()).contains("expected: NODE:VERSION");
    }
  }
}
