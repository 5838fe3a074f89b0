package io.edgeproxy.tools.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code edgeproxy register} and {@code deregister}: backends through the discovery API of a running
 * agent (so the lease, the token's scope and the API's validation apply, as for any client).
 */
final class RegistrationCommands {
  private RegistrationCommands() {}

  /** Where the API is and the token to use. */
  static final class ApiOptions {
    @Option(names = "--api", paramLabel = "URL",
        description = "The discovery API (default: http:// + EDGEPROXY_API_LISTEN_ADDR, else http://127.0.0.1:8081).")
    @Nullable String url;

    @Option(names = "--token", paramLabel = "TOKEN", description = "Bearer token (default: EDGEPROXY_API_TOKEN).")
    @Nullable String token;

    @Option(names = "--cacert", paramLabel = "FILE",
        description = "PEM certificates to trust for an https:// API (a private CA, or the agent's self-signed certificate).")
    java.nio.file.@Nullable Path cacert;
  }

  /** Prints the API's answer: its message (or its JSON), or its error on stderr with exit code 1. */
  static int report(CommandSpec spec, ApiClient.Answer answer, boolean json, String success) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    if (!answer.ok()) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("edgeproxy " + spec.name() + ": the discovery API answered " + answer.status() + ":");
      err.println(answer.body().strip());
      err.flush();
      return 1;
    }
    if (json) {
      out.println(answer.body().strip());
    } else {
      JsonNode body = JsonOutput.MAPPER.readTree(answer.body());
      out.println(body.path("message").asText(success));
    }
    out.flush();
    return 0;
  }

  /** {@code edgeproxy register}. */
  @Command(name = "register", mixinStandardHelpOptions = true,
      description = "Register a backend through the discovery API (POST /api/v1/register). It is routed at once and "
          + "replicated; without a heartbeat it is marked unhealthy after EDGEPROXY_HEARTBEAT_TTL_SECS.")
  static final class Register implements Callable<Integer> {
    private final Map<String, String> env;

    @Spec CommandSpec spec;

    @Option(names = "--id", required = true, paramLabel = "ID", description = "The backend's id.")
    String id = "";

    @Option(names = "--app", required = true, paramLabel = "APP", description = "The app it serves.")
    String app = "";

    @Option(names = "--region", required = true, paramLabel = "REGION", description = "Its region (sa, us, eu, ap or an operator region).")
    String region = "";

    @Option(names = "--ip", required = true, paramLabel = "IP", description = "Its address (IPv4 or IPv6).")
    String ip = "";

    @Option(names = "--port", required = true, paramLabel = "PORT", description = "Its port (1-65535).")
    int port;

    @Option(names = "--country", paramLabel = "CC", description = "Its ISO country code (default: unknown).")
    @Nullable String country;

    @Option(names = "--weight", paramLabel = "N", description = "Weight (default: 2; 0 drains it).")
    @Nullable Integer weight;

    @Option(names = "--soft-limit", paramLabel = "N", description = "Connections at which it counts as loaded (default: 100).")
    @Nullable Integer softLimit;

    @Option(names = "--hard-limit", paramLabel = "N", description = "Connections it never exceeds (default: 150).")
    @Nullable Integer hardLimit;

    @Option(names = "--meta", paramLabel = "KEY=VALUE", description = "Metadata (repeatable).")
    Map<String, String> metadata = new LinkedHashMap<>();

    @Option(names = "--json", description = "Print the API's JSON answer.")
    boolean json;

    @picocli.CommandLine.Mixin ApiOptions api = new ApiOptions();

    Register(Map<String, String> env) {
      this.env = env;
    }

    @Override
    public Integer call() throws IOException {
      ApiClient client = ApiClient.of(api.url, api.token, api.cacert, env, spec);
      ObjectNode body = JsonOutput.MAPPER.createObjectNode().put("id", id).put("app", app).put("region", region)
          .put("ip", ip).put("port", port);
      if (country != null) {
        body.put("country", country);
      }
      if (weight != null) {
        body.put("weight", weight);
      }
      if (softLimit != null) {
        body.put("soft_limit", softLimit);
      }
      if (hardLimit != null) {
        body.put("hard_limit", hardLimit);
      }
      if (!metadata.isEmpty()) {
        ObjectNode meta = body.putObject("metadata");
        metadata.forEach(meta::put);
      }
      return report(spec, client.send("POST", "api/v1/register", body.toString()), json, "registered " + id);
    }
  }

  /** {@code edgeproxy deregister ID}. */
  @Command(name = "deregister", mixinStandardHelpOptions = true,
      description = "Deregister a backend through the discovery API (DELETE /api/v1/backends/{id}); the deletion replicates.")
  static final class Deregister implements Callable<Integer> {
    private final Map<String, String> env;

    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The backend's id.")
    String id = "";

    @Option(names = "--json", description = "Print the API's JSON answer.")
    boolean json;

    @picocli.CommandLine.Mixin ApiOptions api = new ApiOptions();

    Deregister(Map<String, String> env) {
      this.env = env;
    }

    @Override
    public Integer call() throws IOException {
      ApiClient client = ApiClient.of(api.url, api.token, api.cacert, env, spec);
      ApiClient.Answer answer = client.send("DELETE", "api/v1/backends/" + URLEncoder.encode(id, StandardCharsets.UTF_8), null);
      return report(spec, answer, json, "deregistered " + id);
    }
  }
}
