package io.edgeproxy.tools.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code edgeproxy wait RECEIPT}: waits until the named POPs have applied a write (its receipt, as
 * {@code edgeproxy sql --write} or the discovery API returned it), asking the local agent's admin
 * endpoint. Deploy tools wait on this instead of sleeping.
 */
@Command(name = "wait", mixinStandardHelpOptions = true,
    description = {"Wait until POPs have applied a write, named by its receipt (NODE:VERSION, printed by",
        "'edgeproxy sql --write' and returned by the discovery API's writes). Exits 0 once every POP named",
        "has it, 1 naming the missing ones after the timeout."},
    footer = {"", "Examples:", "  edgeproxy wait pop-gru-1:117964802094530560",
        "  edgeproxy wait pop-gru-1:117964802094530560 --pops iad-1,fra-1 --timeout 30s"})
public final class WaitCommand implements Callable<Integer> {
  private static final long POLL_MILLIS = 100;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "RECEIPT", description = "The write's receipt: NODE:VERSION.")
  String receipt;

  @Option(names = "--pops", paramLabel = "all|ID,...", defaultValue = "all",
      description = "The POPs that must have applied it: all (every member this POP knows, down ones included) or node ids."
          + " Default: ${DEFAULT-VALUE}.")
  String pops;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
      description = "How long to wait: 500ms, 10s, 2m, or seconds. Default: ${DEFAULT-VALUE}.")
  String timeout;

  @Option(names = "--admin", defaultValue = "${env:EDGEPROXY_ADMIN_ADDR:-127.0.0.1:8082}",
      description = "The agent's admin endpoint (host:port). Default: EDGEPROXY_ADMIN_ADDR or 127.0.0.1:8082.")
  String admin;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (!receipt.matches("[A-Za-z0-9._-]{1,128}:[0-9]{1,20}")) {
      throw new ParameterException(spec.commandLine(), "RECEIPT: '" + receipt + "' (expected: NODE:VERSION, as a write printed it)");
    }
    Duration limit = parseDuration(timeout);
    Set<String> named = pops.equals("all") ? null : new LinkedHashSet<>(List.of(pops.split(",")));
    long deadline = System.nanoTime() + limit.toNanos();
    PrintWriter out = spec.commandLine().getOut();
    while (true) {
      JsonNode status;
      switch (AdminClient.get(admin, "/v1/receipts/" + receipt)) {
        case AdminClient.Reply.Failed f -> {
          return StatusCommand.fail(spec, f.message());
        }
        case AdminClient.Reply.NoAgent n -> {
          return StatusCommand.fail(spec, n.message());
        }
        case AdminClient.Reply.Ok ok -> status = ok.json();
      }
      List<String> applied = texts(status.path("applied"));
      List<String> missing = named == null ? texts(status.path("missing")) : new ArrayList<>(named);
      missing.removeAll(applied);
      if (missing.isEmpty()) {
        out.println("applied on " + (named == null ? "every POP (" + String.join(", ", applied) + ")" : String.join(", ", named)));
        out.flush();
        return 0;
      }
      if (System.nanoTime() > deadline) {
        return StatusCommand.fail(spec, receipt + " not applied within " + timeout + " on: " + String.join(", ", missing)
            + (applied.isEmpty() ? "" : " (applied on: " + String.join(", ", applied) + ")"));
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  private Duration parseDuration(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      if (t.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
      }
      if (t.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
      }
      return Duration.ofSeconds(Long.parseLong(t));
    } catch (NumberFormatException e) {
      throw new ParameterException(spec.commandLine(), "--timeout: '" + text + "' (expected: 500ms, 10s, 2m, or whole seconds)");
    }
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
