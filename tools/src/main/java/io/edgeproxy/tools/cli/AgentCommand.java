package io.edgeproxy.tools.cli;

import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.core.config.InvalidConfigException;
import io.edgeproxy.tools.EdgeNode;
import io.edgeproxy.tools.NodeListeners;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Option;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code edgeproxy agent}: runs the appliance from configuration until SIGTERM or SIGINT. */
@Command(name = "agent", mixinStandardHelpOptions = true,
    description = {"Run the appliance: the L4 proxy over routing.db.",
        "Every option can also be set with its environment variable; flags win."})
public final class AgentCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  private final Map<String, String> env;

  @Option(names = AgentArgs.TAKE_OVER, description = {"Take over from the agent running on the same routing.db without"
      + " losing a connection or a query: join its listeners, receive its DNS sockets, then it stops accepting,"
      + " leaves the cluster, drains (EDGEPROXY_DRAIN_SECS) and exits. Starts as usual when none runs."
      + " edgeproxy reload runs this."})
  boolean takeOver;

  public AgentCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    return run(env, new AgentArgs(ConfigOptions.given(spec.commandLine().getParseResult()), takeOver),
        spec.commandLine().getOut(), spec.commandLine().getErr());
  }

  /** The command, from its options as picocli or {@link AgentArgs} read them. */
  static int run(Map<String, String> env, AgentArgs args, PrintWriter out, PrintWriter err) {
    EdgeConfig config;
    try {
      config = EdgeConfig.load(env, args.given());
    } catch (InvalidConfigException e) {
      return reportInvalid(err, e);
    }
    Logging.configure(config.node().debug(), config.node().logFormat());
    // Asked for only now: a logger created while the preload thread is still initialising SLF4J
    // can be a stand-in that is never connected (SLF4J's substitute-logger race), and its lines vanish.
    Logger logger = LoggerFactory.getLogger(AgentCommand.class);
    logger.info("effective configuration:\n  {}", String.join("\n  ", config.effective()));
    return runUntilStopped(config, args.takeOver(), out, err, node -> "");
  }

  /** Prints every configuration problem to stderr; the usage-error exit code. */
  static int reportInvalid(PrintWriter err, InvalidConfigException e) {
    err.println("edgeproxy: invalid configuration:");
    e.problems().forEach(p -> err.println("  " + p));
    err.flush();
    return 2;
  }

  /**
   * Starts a node (taking over from a running one when asked; the node tells the service manager
   * it is ready), prints where it listens, and blocks until the JVM is asked to stop or the node has handed
   * over to a newer agent: then it drains and returns 0, or 1 when that agent failed after this one
   * let go (so the service manager restarts the service).
   */
  static int runUntilStopped(EdgeConfig config, boolean takeOver, PrintWriter out, PrintWriter err,
      Function<EdgeNode, String> banner) {
    EdgeNode node;
    try {
      node = takeOver ? EdgeNode.takeOver(config) : EdgeNode.start(config);
    } catch (EdgeNode.NodeStartException e) {
      err.println("edgeproxy: " + e.getMessage());
      err.flush();
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      stopped.countDown();
    }, "shutdown"));
    AtomicInteger status = new AtomicInteger();
    node.handedOver().thenAccept(done -> {
      status.set(done ? 0 : 1);
      stopped.countDown();
    });
    NodeListeners.lines(node).forEach(out::println);
    out.print(banner.apply(node));
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    node.close(); // after a hand-over: drains open connections (at most EDGEPROXY_DRAIN_SECS)
    return status.get();
  }
}
