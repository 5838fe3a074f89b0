package io.edgeproxy.tools.faults;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeproxy.core.testing.Sqlite3Cli;
import io.edgeproxy.core.testing.net.Host;
import io.edgeproxy.core.testing.net.NetworkLab;
import io.edgeproxy.replication.tls.ClusterPki;
import io.edgeproxy.sql.ApiTokens;
import io.edgeproxy.sql.RoutingDb;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * POPs as separate agent processes (the packaged jar, as an operator runs it), each in its own
 * network namespace of a {@link NetworkLab}, for fault tests on real sockets: the lab cuts,
 * degrades and delays links between them; the test talks to each POP (admin endpoint, discovery
 * API, proxy) from the root namespace, and to each routing.db with the real {@code sqlite3}.
 * Backends run in the test, on the lab's gateway. Closing stops every agent and the lab.
 */
final class FaultPops implements AutoCloseable {
  static final int PROXY_PORT = 8080;
  static final int API_PORT = 8081;
  static final int ADMIN_PORT = 8082;
  static final int GOSSIP_PORT = 4001;
  static final int STREAM_PORT = 4002;
  private static final Path JAR = Path.of("target/edgeproxy.jar");
  private static final ObjectMapper JSON = new ObjectMapper();

  final NetworkLab lab = NetworkLab.create();
  final Path dir;
  final String adminToken;
  private final Map<String, Pop> pops = new LinkedHashMap<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** One POP: its host, home directory and agent process. */
  final class Pop {
    final String name;
    final Host host;
    final Path home;
    Process agent;
    final List<String> extraArgs = new ArrayList<>();
    final Map<String, String> env = new LinkedHashMap<>();
    UnaryOperator<List<String>> wrap = argv -> argv;

    /** Joins the WireGuard mesh at {@code addressWithPrefix} on interface {@code iface}, with {@code more} agent options. */
    void inMesh(String addressWithPrefix, String iface, String... more) {
      extraArgs.addAll(List.of("--wg", "--wg-address", addressWithPrefix, "--wg-interface", iface));
      extraArgs.addAll(List.of(more));
    }

    Pop(String name, Host host, Path home) {
      this.name = name;
      this.host = host;
      this.home = home;
    }

    String ip() {
      return host.address().getHostAddress();
    }

    Path db() {
      return home.resolve("routing.db");
    }

    InetSocketAddress proxy() {
      return new InetSocketAddress(host.address(), PROXY_PORT);
    }

    String sql(String sql) {
      return Sqlite3Cli.exec(db(), sql);
    }

    JsonNode admin(String path) {
      return getJson("http://" + ip() + ":" + ADMIN_PORT + path);
    }

    JsonNode replication() {
      return admin("/v1/status").path("replication");
    }

    String metrics() {
      return get("http://" + ip() + ":" + ADMIN_PORT + "/metrics").body();
    }

    /** A discovery API call with the admin token; the response (any status). */
    HttpResponse<String> api(String method, String path, String body) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + ip() + ":" + API_PORT + path))
          .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + adminToken);
      request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      try {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    boolean up() {
      try {
        return get("http://" + ip() + ":" + ADMIN_PORT + "/v1/status").statusCode() == 200;
      } catch (RuntimeException e) {
        return false;
      }
    }

    /** The command line of {@code verb} (agent, reload) for this POP: its options, seeds and extra arguments, wrapped. */
    List<String> command(String verb) {
      List<String> argv = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
          "-XX:+UseSerialGC", "-Xmx256m", "-jar", JAR.toAbsolutePath().toString(), verb,
          "--app", "web", "--listen", ip() + ":" + PROXY_PORT, "--db", db().toString(), "--region", "sa",
          "--replication", "--node-id", name, "--tls-dir", dir.resolve("tls").toString(), "--cluster-name", "faults",
          "--gossip-addr", ip() + ":" + GOSSIP_PORT, "--transport-addr", ip() + ":" + STREAM_PORT, "--advertise-host", ip(),
          "--gossip-interval-ms", "100", "--sync-interval-ms", "500", "--admin", ip() + ":" + ADMIN_PORT,
          "--api", "--api-listen", ip() + ":" + API_PORT, "--heartbeat-ttl-secs", "3", "--connect-timeout-ms", "500",
          "--db-reload-secs", "1"));
      List<String> seeds = new ArrayList<>();
      for (Pop other : pops.values()) {
        if (other != this) {
          seeds.add(other.ip() + ":" + GOSSIP_PORT);
        }
      }
      if (!seeds.isEmpty()) {
        argv.addAll(List.of("--bootstrap-peers", String.join(",", seeds)));
      }
      argv.addAll(extraArgs);
      return wrap.apply(argv);
    }

    /** Starts (or restarts) the agent, joining through the other POPs; waits until its admin endpoint answers. */
    void start() {
      try {
        Files.createDirectories(home);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      ProcessBuilder builder = host.command(command("agent")).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
      builder.environment().putAll(env);
      agent = host.start(builder);
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(this::up);
    }

    /** kill -9. */
    void kill() throws InterruptedException {
      agent.destroyForcibly();
      agent.waitFor();
    }

    /** The agent's log: beside, not in, its home (which may be a tiny disk). */
    Path logFile() {
      return dir.resolve(name + ".log");
    }

    String log() throws IOException {
      return Files.readString(logFile());
    }
  }

  FaultPops(Path dir, String... names) {
    this.dir = dir;
    ClusterPki.init(dir.resolve("tls"), "faults", List.of(names));
    for (String name : names) {
      Host host = lab.addHost(name.replace("pop-", ""));
      pops.put(name, new Pop(name, host, dir.resolve(name)));
    }
    Pop first = pops.get(names[0]);
    try {
      Files.createDirectories(first.home);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    try (RoutingDb db = RoutingDb.open(first.db())) {
      adminToken = new ApiTokens(db).create("*", "fault tests", System.currentTimeMillis());
    }
  }

  /** The plain HTTP listener's port on every POP that {@link #withHttpEdge} gave one. */
  static final int HTTP_PORT = 8088;

  /** Every POP runs the HTTPS edge (port 8443) and plain HTTP on {@link #HTTP_PORT}; {@code <app>.apps.test} routes to app. */
  void withHttpEdge() {
    for (Pop p : pops.values()) {
      p.extraArgs.addAll(List.of("--tls", "--tls-listen", p.ip() + ":8443", "--http-listen", p.ip() + ":" + HTTP_PORT,
          "--domain", "apps.test"));
    }
  }

  /**
   * SQL making app {@code site} in HTTP mode, served on plain HTTP, with {@code column = value}
   * pairs more (e.g. {@code "cache", "1"}), its one backend {@code originPort} at the lab's gateway.
   */
  String httpSite(int originPort, String... columnValues) {
    StringBuilder columns = new StringBuilder("name, protocol, http_redirect");
    StringBuilder values = new StringBuilder("'site', 'http', 0");
    for (int i = 0; i < columnValues.length; i += 2) {
      columns.append(", ").append(columnValues[i]);
      values.append(", ").append(columnValues[i + 1]);
    }
    return "INSERT INTO apps (" + columns + ") VALUES (" + values + ");"
        + " INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('site-1', 'site', 'sa', '"
        + lab.gateway().getHostAddress() + "', " + originPort + ");";
  }

  /**
   * Puts {@code pop}'s home (routing.db and its WAL) on a tmpfs of {@code megabytes}, mounted for
   * this test only and unmounted when it ends.
   */
  Path smallDisk(Pop pop, int megabytes) throws IOException, InterruptedException {
    Files.createDirectories(pop.home);
    run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "edgeproxy-test", pop.home.toString());
    closeables.add(() -> run("umount", "-l", pop.home.toString()));
    return pop.home;
  }

  static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out.strip());
    }
  }

  /** Closes {@code resource} with the rest. */
  <T extends AutoCloseable> T closeLater(T resource) {
    closeables.add(resource);
    return resource;
  }

  Pop pop(String name) {
    return pops.get(name);
  }

  List<Pop> all() {
    return List.copyOf(pops.values());
  }

  /** Starts every POP, in order, then waits until each sees every other as connected. */
  void startAll() {
    for (Pop pop : pops.values()) {
      pop.start();
    }
    awaitConnected(Duration.ofSeconds(60));
  }

  void awaitConnected(Duration within) {
    await().atMost(within).pollInterval(Duration.ofMillis(200)).until(() -> {
      for (Pop pop : pops.values()) {
        long connected = 0;
        for (JsonNode peer : pop.replication().path("peers")) {
          connected += peer.path("connected").asBoolean() ? 1 : 0;
        }
        if (connected < pops.size() - 1) {
          return false;
        }
      }
      return true;
    });
  }

  /** An HTTP origin at the lab's gateway (every POP reaches it), answering with {@code handler}; its port. Stopped with the lab. */
  int origin(com.sun.net.httpserver.HttpHandler handler) throws IOException {
    com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress(lab.gateway(), 0), 200);
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool();
    server.setExecutor(threads);
    server.createContext("/", handler);
    server.start();
    closeables.add(() -> {
      server.stop(0);
      threads.shutdownNow();
    });
    return server.getAddress().getPort();
  }

  /** A backend on the lab's gateway that writes {@code name} to every client and closes; its port. */
  int backend(String name) throws IOException {
    java.net.ServerSocket server = new java.net.ServerSocket(0, 100, lab.gateway());
    closeables.add(server);
    Thread.ofVirtual().start(() -> {
      while (!server.isClosed()) {
        try (Socket s = server.accept()) {
          s.getOutputStream().write((name + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          // closed, or a client gone: go on
        }
      }
    });
    return server.getLocalPort();
  }

  /** What a client of {@code pop}'s proxy gets: the backend's name, or "" (refused, closed, timed out). */
  static String ask(InetSocketAddress proxy) {
    try (Socket s = new Socket()) {
      s.connect(proxy, 1_000);
      s.setSoTimeout(2_000);
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      return "";
    }
  }

  private HttpResponse<String> get(String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private JsonNode getJson(String url) {
    try {
      return JSON.readTree(get(url).body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Every backends row of {@code pop}, in key order: equal strings mean equal tables. */
  static String backends(Pop pop) {
    return pop.sql("SELECT id, app, region, port, weight, healthy FROM backends ORDER BY id;");
  }

  @Override
  public void close() {
    for (Pop pop : pops.values()) {
      if (pop.agent != null) {
        pop.agent.destroy();
      }
    }
    for (Pop pop : pops.values()) {
      try {
        if (pop.agent != null && !pop.agent.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          pop.agent.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        // best effort
      }
    }
    lab.close();
  }
}
