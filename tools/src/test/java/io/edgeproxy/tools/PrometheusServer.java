package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeproxy.core.testing.LocalPorts;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Debian's {@code prometheus} (installed by .ci/run) as its own process on 127.0.0.1: its config,
 * data and log in the test's directory, scraping {@code targets} in job "edgeproxy" every second
 * and evaluating {@code ruleFiles} every second. Read through its HTTP API; closing (or the JVM's
 * exit) kills the process.
 */
final class PrometheusServer implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Thread killer;
  private final String base;
  private final Path log;

  private PrometheusServer(Process process, String base, Path log) {
    this.process = process;
    this.base = base;
    this.log = log;
    this.killer = new Thread(process::destroyForcibly, "prometheus-killer");
    Runtime.getRuntime().addShutdownHook(killer);
  }

  /** Starts it and waits until it is ready (at most 30 s). */
  static PrometheusServer start(Path dir, List<String> targets, List<Path> ruleFiles) throws Exception {
    Files.createDirectories(dir);
    int port = LocalPorts.tcp().getPort();
    String config = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
        + "rule_files:\n" + ruleFiles.stream().map(f -> "  - " + f.toAbsolutePath() + "\n").collect(Collectors.joining())
        + "scrape_configs:\n  - job_name: edgeproxy\n    static_configs:\n      - targets: ["
        + targets.stream().map(t -> "'" + t + "'").collect(Collectors.joining(", ")) + "]\n";
    Path file = Files.writeString(dir.resolve("prometheus.yml"), config);
    Path log = dir.resolve("prometheus.log");
    Process process = new ProcessBuilder("prometheus", "--config.file=" + file, "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port, "--log.level=warn").redirectErrorStream(true).redirectOutput(log.toFile()).start();
    PrometheusServer server = new PrometheusServer(process, "http://127.0.0.1:" + port, log);
    try {
      server.awaitReady();
      return server;
    } catch (Exception | AssertionError e) {
      server.close();
      throw e;
    }
  }

  private void awaitReady() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      assertThat(process.isAlive()).as("prometheus exited: %s", log()).isTrue();
      try {
        if (HTTP.send(HttpRequest.newBuilder(URI.create(base + "/-/ready")).build(), HttpResponse.BodyHandlers.discarding())
            .statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("prometheus not ready in 30 s: " + log());
  }

  /** {@code GET /api/v1/query} at the current time: the whole answer ({@code status}, {@code data} or {@code error}). */
  JsonNode query(String promql) throws Exception {
    return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
  }

  /** The result vector of an instant query, asserting that Prometheus accepted and evaluated it. */
  JsonNode vector(String promql) throws Exception {
    JsonNode answer = query(promql);
    assertThat(answer.path("status").asText()).as("%s: %s", promql, answer).isEqualTo("success");
    return answer.path("data").path("result");
  }

  /** A GET of its HTTP API ({@code /api/v1/alerts}, {@code /api/v1/rules}, ...), parsed. */
  JsonNode get(String pathAndQuery) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(10))
        .build(), HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  /** What it logged so far (warnings and errors). */
  String log() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killer);
    } catch (IllegalStateException e) {
      // the JVM is exiting: the hook runs anyway
    }
  }
}
