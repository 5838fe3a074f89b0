package io.edgeproxy.tools.cli;

import io.edgeproxy.core.config.ConfigKey;
import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.core.config.InvalidConfigException;
import io.edgeproxy.tools.handover.HandOverClient;
import java.io.File;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeproxy reload}: starts a new agent ({@code agent --take-over}, this command's own JVM
 * and options) that takes over from the running one, and returns once it serves. What
 * {@code systemctl reload edgeproxy} runs; also how to upgrade by hand.
 */
@Command(name = "reload", mixinStandardHelpOptions = true,
    description = {"Start a new agent that takes over from the running one without losing a connection or a"
        + " query, and return once it serves (systemctl reload runs this). The new agent reads the"
        + " configuration again: environment and the agent options given here.",
        "Exit status: 0 when the new agent serves; 1 when none ran, or the new agent failed (the running one then"
            + " keeps serving unless it had let go, when it exits 1 for the service manager to restart the service)."})
public final class ReloadCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  private final Map<String, String> env;

  @Option(names = "--wait", paramLabel = "<seconds>", defaultValue = "120",
      description = "How long to wait for the new agent to serve. Default: ${DEFAULT-VALUE}.")
  int waitSeconds;

  public ReloadCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Map<ConfigKey, String> given = ConfigOptions.given(spec.commandLine().getParseResult());
    EdgeConfig config;
    try {
      config = EdgeConfig.load(env, given);
    } catch (InvalidConfigException e) {
      return AgentCommand.reportInvalid(err, e);
    }
    Path db = config.node().dbPath();
    Optional<Long> running = HandOverClient.servingPid(db);
    if (running.isEmpty()) {
      err.println("edgeproxy: " + noHandOver(db));
      return 1;
    }
    Process agent = new ProcessBuilder(agentCommand(env, given)).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
    while (System.nanoTime() - deadline < 0) {
      if (!agent.isAlive()) {
        err.println("edgeproxy: the new agent (pid " + agent.pid() + ") exited with status " + agent.exitValue()
            + " before it served; see its log above");
        return 1;
      }
      if (HandOverClient.servingPid(db).orElse(-1L) == agent.pid()) {
        out.println("agent pid " + agent.pid() + " took over from pid " + running.get());
        return 0;
      }
      Thread.sleep(100);
    }
    err.println("edgeproxy: the new agent (pid " + agent.pid() + ") does not serve after " + waitSeconds
        + " s; it is left running");
    return 1;
  }

  /** Why there is no agent to reload: none runs, or the one running has no hand-over socket. */
  private static String noHandOver(Path db) {
    Path lock = Path.of(db.toAbsolutePath() + ".lock");
    try {
      if (java.nio.file.Files.exists(lock)) {
        switch (io.edgeproxy.core.fs.HeldLock.take(lock, "edgeproxy reload (a probe)")) {
          case io.edgeproxy.core.fs.HeldLock.Outcome.Taken free -> free.lock().close();
          case io.edgeproxy.core.fs.HeldLock.Outcome.Busy busy -> {
            return "the agent running on " + db.toAbsolutePath() + " (" + busy.holder() + ") has no hand-over socket"
                + " (an edgeproxy from before reload, or one that could not make " + db.toAbsolutePath() + ".handover):"
                + " restart it instead (systemctl restart edgeproxy)";
          }
        }
      }
    } catch (java.io.IOException e) {
      // unreadable: as if none ran
    }
    return "no agent runs on " + db.toAbsolutePath() + ": nothing to reload (start one with edgeproxy agent)";
  }

  /**
   * {@code agent --take-over} with the options given here: through the launcher that started this
   * command (EDGEPROXY_LAUNCHER, set by it, so with its JVM options and class-data archive), else
   * with this JVM, its options and its jar.
   */
  private static List<String> agentCommand(Map<String, String> env, Map<ConfigKey, String> given) {
    List<String> command = new ArrayList<>();
    String launcher = env.get("EDGEPROXY_LAUNCHER");
    if (launcher != null && !launcher.isEmpty()) {
      command.add(launcher);
    } else {
      command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
      command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
      String classPath = System.getProperty("java.class.path");
      if (classPath.endsWith(".jar") && !classPath.contains(File.pathSeparator)) {
        command.add("-jar"); // the manifest's Enable-Native-Access applies
        command.add(classPath);
      } else {
        command.add("-cp");
        command.add(classPath);
        command.add(io.edgeproxy.tools.EdgeMain.class.getName());
      }
    }
    command.add("agent");
    command.add("--take-over");
    given.forEach((key, value) -> command.add(key.flag() + "=" + value));
    return command;
  }
}
