package io.edgeproxy.tools.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.function.BiConsumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The options of a command that asks the local agent's admin endpoint (a picocli mixin): where the
 * endpoint is, and whether to print its JSON as is.
 */
final class AdminQuery {
  @Option(names = "--admin", defaultValue = "${env:EDGEPROXY_ADMIN_ADDR:-127.0.0.1:8082}",
      description = "The agent's admin endpoint (host:port). Default: EDGEPROXY_ADMIN_ADDR or 127.0.0.1:8082.")
  String admin;

  @Option(names = "--json", description = "Print the JSON the agent returned.")
  boolean json;

  /** Asks for {@code path} and prints the answer through {@code render} (or as JSON); 1 with a message when no agent answers. */
  int show(CommandSpec spec, String path, BiConsumer<PrintWriter, JsonNode> render) throws IOException {
    return StatusCommand.show(spec, admin, path, json, render);
  }
}
