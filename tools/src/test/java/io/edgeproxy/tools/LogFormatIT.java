package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeproxy.sql.RoutingDb;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * EDGEPROXY_LOG_FORMAT and EDGEPROXY_TCP_ACCESS_LOG on the packaged jar in its own JVM: what an
 * operator's log shipper reads from stderr.
 */
@Timeout(120)
class LogFormatIT {
  private static final Path JAR = Path.of("target/edgeproxy.jar");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PROXY_LINE = Pattern.compile("proxy: (127\\.0\\.0\\.1):(\\d+) -> app (\\S+)");
  @TempDir Path dir;

  /** Runs an agent with {@code env}, one connection through app web and one through app nobody; its stderr. */
  private String agentLog(Map<String, String> env) throws Exception {
    try (TestSockets sockets = new TestSockets()) {
      int backend = sockets.namedBackend("web-1");
      Path db = dir.resolve("routing.db");
      try (RoutingDb routing = RoutingDb.open(db)) {
        routing.write("INSERT OR REPLACE INTO backends (id, app, region, wg_ip, port) VALUES ('web-1', 'web', 'sa', '127.0.0.1', ?)", backend);
      }
      ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-XX:+UseSerialGC",
          "--enable-native-access=ALL-UNNAMED", "-jar", JAR.toAbsolutePath().toString(), "agent")
          .directory(dir.toFile()).redirectError(dir.resolve("stderr.log").toFile());
      pb.environment().putAll(Map.of("EDGEPROXY_DB_PATH", db.toString(), "EDGEPROXY_APP", "web",
          "EDGEPROXY_LISTEN_ADDR", "127.0.0.1:0", "EDGEPROXY_LISTENERS", "nobody=127.0.0.1:0", "EDGEPROXY_ADMIN_ADDR", "127.0.0.1:0"));
      pb.environment().putAll(env);
      Process agent = pb.start();
      try {
        BufferedReader out = new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8));
        Map<String, InetSocketAddress> proxies = new HashMap<>();
        for (int i = 0; i < 2; i++) {
          Matcher m = PROXY_LINE.matcher(String.valueOf(out.readLine()));
          assertThat(m.matches()).isTrue();
          proxies.put(m.group(3), new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2))));
        }
        assertThat(TestSockets.ask(proxies.get("web"))).isEqualTo("web-1");
        assertThat(TestSockets.ask(proxies.get("nobody"))).isEmpty();
      } finally {
        agent.destroy(); // SIGTERM: the access log's queue is written out as the JVM stops
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      return Files.readString(dir.resolve("stderr.log"));
    }
  }

  @Test
  void jsonLogsAreOneObjectPerLineAndTheTcpAccessLogCarriesItsFields() throws Exception {
    String log = agentLog(Map.of("EDGEPROXY_LOG_FORMAT", "json", "EDGEPROXY_TCP_ACCESS_LOG", "true"));
    List<JsonNode> lines = new ArrayList<>();
    boolean jsonStarted = false;
    for (String line : log.lines().filter(l -> !l.isBlank()).toList()) {
      if (line.startsWith("{")) {
        jsonStarted = true;
        lines.add(JSON.readTree(line));
      } else {
        assertThat(jsonStarted).as("a text line after the switch to JSON: %s", line).isFalse();
      }
    }
    assertThat(lines).anySatisfy(l -> assertThat(l.path("message").asText()).startsWith("effective configuration"));
    assertThat(lines).allSatisfy(l -> {
      assertThat(l.path("@timestamp").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}.*");
      assertThat(l.path("level").asText()).isNotEmpty();
      assertThat(l.path("logger_name").asText()).isNotEmpty();
    });
    JsonNode served = lines.stream().filter(l -> "web".equals(l.path("app").asText())).findFirst().orElseThrow();
    assertThat(served.path("logger_name").asText()).isEqualTo("edgeproxy.access");
    assertThat(served.path("protocol").asText()).isEqualTo("tcp");
    assertThat(served.path("backend").asText()).isEqualTo("web-1");
    assertThat(served.path("bytes_from_backend").asLong()).as("\"web-1\\n\"").isEqualTo(6);
    assertThat(served.path("bytes_to_backend").asLong()).isZero();
    assertThat(served.path("client").asText()).startsWith("127.0.0.1:");
    assertThat(served.path("outcome").asText()).isEqualTo("closed");
    JsonNode refused = lines.stream().filter(l -> "nobody".equals(l.path("app").asText())).findFirst().orElseThrow();
    assertThat(refused.path("backend").asText()).isEqualTo("-");
    assertThat(refused.path("outcome").asText()).startsWith("no backend");
  }

  @Test
  void textLogsHaveFullIsoTimesAndTheTcpAccessLogIsOffByDefault() throws Exception {
    String log = agentLog(Map.of());
    List<String> lines = log.lines().filter(l -> l.contains(" INFO ") || l.contains(" WARN ")).toList();
    assertThat(lines).isNotEmpty().allSatisfy(l ->
        assertThat(l).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2}) (INFO|WARN) .*"));
    assertThat(log).doesNotContain(" tcp web web-1 ");
    String on = agentLog(Map.of("EDGEPROXY_TCP_ACCESS_LOG", "1"));
    assertThat(on).containsPattern("127\\.0\\.0\\.1:\\d+ tcp web web-1 0 6 \\d+\\.\\d \"closed\"");
    assertThat(on).containsPattern("127\\.0\\.0\\.1:\\d+ tcp nobody - 0 0 \\d+\\.\\d \"no backend: ");
  }
}
