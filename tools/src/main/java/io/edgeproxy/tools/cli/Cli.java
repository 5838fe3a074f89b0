package io.edgeproxy.tools.cli;


import io.edgeproxy.tools.cli.sql.SqlCommand;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;

/**
 * The {@code edgeproxy} command line: subcommands, {@code --help} on each, {@code --version}.
 * Exit codes: 0 success, 1 failure, 2 usage error.
 */
@Command(name = "edgeproxy", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
    description = "Edge routing appliance: geo-aware L4 proxy over a local routing.db.",
    subcommands = CommandLine.HelpCommand.class)
public final class Cli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private Cli() {}

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Builds the command tree; {@code env} stands in for the process environment (tests pass their own). */
  public static CommandLine commandLine(Map<String, String> env) {
    return commandLine(env, null, null);
  }

  /**
   * The command tree, or, when {@code only} names a subcommand, the tree with just that one: picocli
   * builds each command by reflection, which is a noticeable part of the appliance's start-up.
   */
  static CommandLine commandLine(Map<String, String> env, @Nullable String only, @Nullable InputStream in) {
    CommandLine cli = new CommandLine(new Cli());
    if (only == null || only.equals("agent")) {
      CommandLine agent = new CommandLine(new AgentCommand(env));
      ConfigOptions.addTo(agent.getCommandSpec(), Map.of());
      cli.addSubcommand("agent", agent);
    }
    if (only == null || only.equals("reload")) {
      CommandLine reload = new CommandLine(new ReloadCommand(env));
      ConfigOptions.addTo(reload.getCommandSpec(), Map.of());
      cli.addSubcommand("reload", reload);
    }
    if (only == null || only.equals("demo")) {
      CommandLine demo = new CommandLine(new DemoCommand(env));
      ConfigOptions.addTo(demo.getCommandSpec(), DemoCommand.DEMO_DEFAULTS);
      cli.addSubcommand("demo", demo);
    }
    if (only == null) {
      cli.addSubcommand("status", new CommandLine(new StatusCommand()));
      cli.addSubcommand("members", new CommandLine(new StatusCommand.Members()));
      cli.addSubcommand("wait", new CommandLine(new WaitCommand()));
      cli.addSubcommand("sql", new CommandLine(new SqlCommand(env, in)));
      cli.addSubcommand("backends", new CommandLine(new BackendsCommand(env)));
      CommandLine route = new CommandLine(new RouteCommand());
      route.addSubcommand("explain", new CommandLine(new RouteCommand.Explain(env)));
      cli.addSubcommand("route", route);
      cli.addSubcommand("geo", new CommandLine(new GeoCommand(env)));
      cli.addSubcommand("register", new CommandLine(new RegistrationCommands.Register(env)));
      cli.addSubcommand("deregister", new CommandLine(new RegistrationCommands.Deregister(env)));
      cli.addSubcommand("completion", new CommandLine(new CompletionCommand()));
    }
    if (only == null || only.equals("certs")) {
      cli.addSubcommand("certs", new CommandLine(new CertsCommand()));
    }
    if (only == null || only.equals("tls")) {
      CommandLine tls = new CommandLine(new TlsCommand());
      tls.addSubcommand("add", new CommandLine(new TlsCommand.Add(env)));
      tls.addSubcommand("list", new CommandLine(new TlsCommand.ListCommand(env)));
      tls.addSubcommand("remove", new CommandLine(new TlsCommand.Remove(env)));
      cli.addSubcommand("tls", tls);
    }
    if (only == null || only.equals("tunnel")) {
      CommandLine tunnel = new CommandLine(new TunnelCommand());
      tunnel.addSubcommand("run", new CommandLine(new TunnelCommand.Run()));
      tunnel.addSubcommand("list", new CommandLine(new TunnelCommand.ListCommand()));
      cli.addSubcommand("tunnel", tunnel);
    }
    if (only == null || only.equals("cache")) {
      CommandLine cache = new CommandLine(new CacheCommand());
      cache.addSubcommand("purge", new CommandLine(new CacheCommand.Purge(env)));
      cache.addSubcommand("stats", new CommandLine(new CacheCommand.Stats()));
      cli.addSubcommand("cache", cache);
    }
    if (only == null || only.equals("wireguard")) {
      CommandLine wireGuard = new CommandLine(new WireGuardCommand());
      CommandLine config = new CommandLine(new WireGuardCommand.Config(env));
      ConfigOptions.addTo(config.getCommandSpec(), Map.of());
      wireGuard.addSubcommand("config", config);
      wireGuard.addSubcommand("status", new CommandLine(new WireGuardCommand.Status()));
      wireGuard.addSubcommand("forget", new CommandLine(new WireGuardCommand.Forget(env)));
      cli.addSubcommand("wireguard", wireGuard);
    }
    if (only == null || only.equals("token")) {
      CommandLine token = new CommandLine(new TokenCommand());
      token.addSubcommand("create", new CommandLine(new TokenCommand.Create(env)));
      token.addSubcommand("list", new CommandLine(new TokenCommand.ListTokens(env)));
      token.addSubcommand("revoke", new CommandLine(new TokenCommand.Revoke(env)));
      cli.addSubcommand("token", token);
    }
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) ->
        failed(commandLine.getCommandSpec().qualifiedName(), e, commandLine.getErr()));
    return cli;
  }

  /** A command that threw: its name and what went wrong, and exit code 1. */
  private static int failed(String command, Exception e, PrintWriter err) {
    err.println(command + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()));
    err.flush();
    return 1;
  }

  public static int run(Map<String, String> env, String... args) {
    if (args.length > 0 && args[0].equals("agent")) {
      java.util.Optional<AgentArgs> plain = AgentArgs.read(java.util.Arrays.asList(args).subList(1, args.length));
      if (plain.isPresent()) { // as picocli would read them, without its start-up cost
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, System.out.charset()), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, System.err.charset()), true);
        try {
          return AgentCommand.run(env, plain.get(), out, err);
        } catch (RuntimeException e) {
          return failed("edgeproxy agent", e, err);
        }
      }
    }
    boolean runsOneCommand = args.length > 0 && SUBCOMMANDS.contains(args[0]);
    return commandLine(env, runsOneCommand ? args[0] : null, null).execute(args);
  }

  private static final java.util.Set<String> SUBCOMMANDS = java.util.Set.of("agent", "demo", "certs", "tls", "token", "cache", "wireguard");

  public static int run(Map<String, String> env, PrintWriter out, PrintWriter err, String... args) {
    return run(env, null, out, err, args);
  }

  /** As {@link #run(Map, String...)} with the given streams; {@code in} (null: the process's) feeds {@code sql}. */
  public static int run(Map<String, String> env, @Nullable InputStream in, PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = commandLine(env, null, in);
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  /** The version from the jar manifest (set by the build). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Cli.class.getPackage().getImplementationVersion();
      return new String[] {"edgeproxy " + (v == null ? "(development build)" : v)};
    }
  }

}
