package io.edgeproxy.tools.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code edgeproxy status} and {@code edgeproxy members}: what a running agent reports. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show this POP: routing snapshot, listeners, replication peers and how far behind each one it is.")
public final class StatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @picocli.CommandLine.Mixin AdminQuery query;

  @Override
  public Integer call() throws IOException {
    return query.show(spec, "/v1/status", StatusCommand::print);
  }

  /**
   * Asks the agent's admin endpoint for {@code path} and prints the JSON it returns as is, or
   * through {@code render}; 1 with a message naming the address when no agent answers.
   */
  static int show(CommandSpec spec, String admin, String path, boolean json,
      java.util.function.BiConsumer<PrintWriter, JsonNode> render) throws IOException {
    return switch (AdminClient.get(admin, path)) {
      case AdminClient.Reply.Failed f -> fail(spec, f.message());
      case AdminClient.Reply.NoAgent n -> fail(spec, n.message());
      case AdminClient.Reply.Ok ok -> {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          out.print(ok.body());
        } else {
          render.accept(out, ok.json());
        }
        out.flush();
        yield 0;
      }
    };
  }

  static int fail(CommandSpec spec, String message) {
    spec.commandLine().getErr().println("edgeproxy " + spec.name() + ": " + message);
    return 1;
  }

  private static void print(PrintWriter out, JsonNode s) {
    out.printf("edgeproxy %s, region %s%n", s.path("version").asText(), s.path("region").asText());
    out.printf("routing.db  %s (snapshot v%d: %d backends, %d apps)%n", s.path("routingDb").asText(),
        s.path("snapshotVersion").asLong(), s.path("backends").asInt(), s.path("apps").asInt());
    out.printf("listeners   %s; %d connections open%n", String.join(", ", texts(s.path("listeners"))),
        s.path("activeConnections").asInt());
    JsonNode checks = s.path("healthChecks");
    if (checks.path("checked").asInt() == 0) {
      out.println("health      no active health checks (table health_checks is empty)");
    } else {
      out.printf("health      %d backends checked, %d up, %d down%s%n", checks.path("checked").asInt(), checks.path("up").asInt(),
          checks.path("down").size(), checks.path("down").isEmpty() ? "" : ": " + String.join("; ", texts(checks.path("down"))));
    }
    JsonNode h = s.path("https");
    if (!h.isMissingNode() && !h.isNull()) {
      out.printf("https       %s%s by %s; %d names with their own certificate; keys sealed with %s (id %s)%n",
          h.path("listen").asText(), h.path("http").isNull() ? "" : " (plain HTTP " + h.path("http").asText() + ": 308)",
          h.path("provider").asText(), h.path("names").size(), h.path("sealSource").asText(), h.path("sealId").asText());
      for (JsonNode a : h.path("acme")) {
        out.printf("acme        %s: %s%s%s%s%n", a.path("hostname").asText(), a.path("state").asText(),
            a.path("notAfter").isNull() || a.path("notAfter").isMissingNode() ? "" : ", valid until " + a.path("notAfter").asText(),
            a.path("failures").asInt() == 0 ? "" : ", " + a.path("failures").asInt() + " failures in a row, last: "
                + a.path("lastError").asText(),
            a.path("nextTry").isNull() || a.path("nextTry").isMissingNode() ? "" : ", next try " + a.path("nextTry").asText());
      }
    }
    JsonNode r = s.path("replication");
    if (r.isMissingNode() || r.isNull()) {
      out.println("replication off");
      return;
    }
    out.printf("replication node %s in cluster %s, schema %d; %d row versions; applied %d, stale %d, rejected %d, pushed %d,"
        + " held %d%n", r.path("nodeId").asText(), r.path("clusterName").asText(), r.path("schemaVersion").asInt(),
        r.path("versions").asLong(), r.path("appliedTotal").asLong(), r.path("staleTotal").asLong(),
        r.path("rejectedTotal").asLong(), r.path("pushedTotal").asLong(), r.path("heldChanges").asLong());
    out.printf("  last sync %s%n", r.path("lastSync").isNull() ? "never" : r.path("lastSync").asText());
    if (!r.path("rejoin").isNull() && !r.path("rejoin").isMissingNode()) {
      out.printf("  REJOINING from a peer's copy: %s%n", r.path("rejoin").asText());
    }
    JsonNode last = r.path("lastRejoin");
    if (!last.isNull() && !last.isMissingNode()) {
      out.printf("  last rejoin from %s at %s (%s): %d rows copied, %d local changes dropped%s%n", last.path("from").asText(),
          java.time.Instant.ofEpochMilli(last.path("atMs").asLong()), last.path("reason").asText(), last.path("rows").asLong(),
          last.path("droppedLocalChanges").asInt(), last.path("report").isNull() ? "" : ", listed in " + last.path("report").asText());
    }
    if (!r.path("storageError").isNull() && !r.path("storageError").isMissingNode()) {
      out.printf("  STORAGE FAILING (serving the last good state): %s%n", r.path("storageError").asText());
    }
    out.printf("  %-16s %-7s %-22s %-5s %-6s %-8s %-8s %-12s %-14s %s%n", "PEER", "REGION", "STREAM", "UP", "SCHEMA", "BEHIND",
        "LAG MS", "CLOCK MS", "REJOIN", "LAST SYNC");
    for (JsonNode p : r.path("peers")) {
      String clock = p.path("clockOffsetMs").isNull() ? "?" : String.format(Locale.ROOT, "%+d%s", p.path("clockOffsetMs").asLong(),
          p.path("skewed").asBoolean() ? " SKEWED" : "");
      String rejoin = p.path("mustRejoin").isNull() ? "-" : p.path("mustRejoin").asText().equals("self") ? "this POP must"
          : "it must";
      out.printf("  %-16s %-7s %-22s %-5s %-6d %-8d %-8d %-12s %-14s %s%n", p.path("nodeId").asText(), p.path("region").asText(),
          p.path("streamAddress").asText(), p.path("connected").asBoolean() ? "yes" : "no", p.path("schemaVersion").asInt(),
          p.path("changesBehind").asLong(), p.path("millisBehind").asLong(), clock, rejoin,
          p.path("lastSync").isNull() ? "never" : p.path("lastSync").asText());
    }
  }

  private static java.util.List<String> texts(JsonNode array) {
    java.util.List<String> out = new java.util.ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** {@code edgeproxy members}. */
  @Command(name = "members", mixinStandardHelpOptions = true, description = "List the cluster's members as this POP sees them.")
  public static final class Members implements Callable<Integer> {
    @Spec CommandSpec spec;

    @picocli.CommandLine.Mixin AdminQuery query;

    @Override
    public Integer call() throws IOException {
      return query.show(spec, "/v1/members", Members::print);
    }

    private static void print(PrintWriter out, JsonNode members) {
      if (!members.path("replication").asBoolean()) {
        out.println("replication is off on this POP: it is the only member");
        return;
      }
      out.printf("%-20s %-8s %-22s %s%n", "NODE", "REGION", "STREAM", "STATE");
      for (JsonNode m : members.path("members")) {
        out.printf("%-20s %-8s %-22s %s%n", m.path("nodeId").asText(), m.path("region").asText(),
            m.path("streamAddress").asText(), m.path("self").asBoolean() ? "self" : m.path("connected").asBoolean() ? "up" : "connecting");
      }
    }
  }
}
