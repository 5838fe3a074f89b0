package io.edgeproxy.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.config.ConfigKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@link AgentArgs} reads a command line only as picocli would, and leaves the rest to it. */
class AgentArgsTest {
  private static final CommandLine PICOCLI = Cli.commandLine(Map.of(), "agent", null); // it parses again and again, reset each time

  /** What picocli makes of {@code edgeproxy agent <args>}: the same record, or empty when it refuses them or is asked for help. */
  private static Optional<AgentArgs> picocli(List<String> args) {
    List<String> all = new ArrayList<>(List.of("agent"));
    all.addAll(args);
    try {
      CommandLine.ParseResult top = PICOCLI.parseArgs(all.toArray(String[]::new));
      CommandLine.ParseResult agent = top.subcommand();
      if (agent.isUsageHelpRequested() || agent.isVersionHelpRequested()) {
        return Optional.empty();
      }
      return Optional.of(new AgentArgs(ConfigOptions.given(agent), agent.hasMatchedOption(AgentArgs.TAKE_OVER)));
    } catch (CommandLine.ParameterException e) {
      return Optional.empty();
    }
  }

  @Test
  void theAgentsCommandLinesInTheTestsAndTheLauncherAreReadWithoutPicocliAndAsPicocliReadsThem() {
    List<List<String>> lines = List.of(
        List.of(),
        List.of("--listen", "127.0.0.1:0", "--app", "web", "--admin", "", "--dns", "true", "--dns-listen", "127.0.0.1:5353",
            "--dns-rate-limit", "0", "--db", "/tmp/x/routing.db", "--drain-secs", "3", "--tls", "true", "--tls-listen",
            "127.0.0.1:8443", "--domain", "edge.test", "--http-listen", "127.0.0.1:8080"),
        List.of("--take-over", "--listen=127.0.0.1:9000", "--replication", "--node-id", "pop-0", "--api", "--tunnels", "false"),
        List.of("--tcp-access-log", "--listen", "0.0.0.0:443", "--listeners", "hold=127.0.0.1:1,web=127.0.0.1:2"),
        List.of("--dns=false", "--region", "sa"));
    for (List<String> line : lines) {
      Optional<AgentArgs> plain = AgentArgs.read(line);
      assertThat(plain).as("read without picocli: %s", line).isPresent();
      assertThat(plain).as("as picocli reads %s", line).isEqualTo(picocli(line));
    }
  }

  @Test
  void whatIsNotPlainlyValidIsLeftToPicocli() {
    for (List<String> line : List.of(List.of("--help"), List.of("-h"), List.of("--version"), List.of("--nope", "1"),
        List.of("--listen"), List.of("--listen", "a", "--listen", "b"), List.of("--listen", "--app"), List.of("--app", "-1"),
        List.of("--app", "@args.txt"), List.of("--", "--app", "web"), List.of("web"), List.of("--dns", "TRUE"), List.of("--dns=yes"),
        List.of("--take-over", "--take-over"), List.of("--take-over=true"), List.of("--take-over", "true"))) {
      assertThat(AgentArgs.read(line)).as("%s", line).isEmpty();
    }
  }

  /**
   * Random command lines of known and unknown flags, both forms, booleans, values that look like
   * flags or files: whenever {@link AgentArgs} reads one, picocli reads the same (50,000 lines).
   */
  @Test
  void onRandomCommandLinesItAgreesWithPicocliWheneverItReadsOne() {
    List<String> flags = new ArrayList<>(List.of("--take-over", "--help", "-h", "--nope", "--", "-V"));
    for (ConfigKey key : ConfigKey.values()) {
      flags.add(key.flag());
    }
    List<String> values = List.of("127.0.0.1:0", "", "web", "a=b", "-1", "@x", "true", "false", "TRUE", "yes", "0", "--app", "x y");
    Random random = new Random(20261207);
    int read = 0;
    for (int n = 0; n < 50_000; n++) {
      List<String> line = new ArrayList<>();
      int words = random.nextInt(6);
      for (int w = 0; w < words; w++) {
        String flag = flags.get(random.nextInt(flags.size()));
        switch (random.nextInt(4)) {
          case 0 -> line.add(flag);
          case 1 -> line.add(flag + "=" + values.get(random.nextInt(values.size())));
          default -> {
            line.add(flag);
            line.add(values.get(random.nextInt(values.size())));
          }
        }
      }
      Optional<AgentArgs> plain = AgentArgs.read(line);
      if (plain.isPresent()) {
        read++;
        assertThat(plain).as("as picocli reads %s", line).isEqualTo(picocli(line));
      }
    }
    assertThat(read).as("command lines read without picocli").isGreaterThan(2_500);
  }
}
