package io.edgeproxy.dist;

import io.edgeproxy.core.config.ConfigKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Debian package's {@code /etc/edgeproxy/edgeproxy.env} (the service's {@code EnvironmentFile=}),
 * rendered from {@link ConfigKey}: every setting commented out with its help, what it expects and its
 * default, so the file changes nothing until a line is uncommented. A setting that the unit itself
 * gives with {@code Environment=} is shown with the unit's value, the one the service runs with.
 *
 * <p>The dist build runs {@code EnvFile UNIT_FILE OUT_FILE} before packaging.
 */
public final class EnvFile {
  private static final int WIDTH = 100;
  private static final String HEADER = """
      # /etc/edgeproxy/edgeproxy.env: settings of the edgeproxy service (systemd EnvironmentFile=).
      # Generated from the key table of the edgeproxy build that made this package: every setting is
      # listed, commented out, with its default (docs/config.md and "edgeproxy agent --help" list the
      # same). Uncomment a line and change its value, then: systemctl reload edgeproxy (a new agent
      # takes over without dropping a connection; systemctl restart stops accepting while it starts)
      # One KEY=VALUE a line, read by systemd: no shell expansion. Readable by root only, as a
      # setting may be a secret (EDGEPROXY_REPLICATION_CLUSTER_KEY).
      """;

  private EnvFile() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: EnvFile UNIT_FILE OUT_FILE (got " + args.length + " arguments)");
    }
    Path out = Path.of(args[1]).toAbsolutePath();
    Files.createDirectories(out.getParent());
    Files.writeString(out, render(unitEnvironment(Files.readAllLines(Path.of(args[0])))));
  }

  /** The {@code Environment=NAME=VALUE} lines of a unit file (one assignment a line, unquoted). */
  static Map<String, String> unitEnvironment(List<String> unitLines) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : unitLines) {
      String trimmed = line.strip();
      if (trimmed.startsWith("Environment=")) {
        String assignment = trimmed.substring("Environment=".length());
        int eq = assignment.indexOf('=');
        if (eq > 0) {
          env.put(assignment.substring(0, eq), assignment.substring(eq + 1));
        }
      }
    }
    return env;
  }

  static String render(Map<String, String> unitEnvironment) {
    StringBuilder out = new StringBuilder(HEADER);
    for (ConfigKey key : ConfigKey.values()) {
      out.append('\n');
      comment(key.help(), out);
      comment("Expected: " + key.kind().expected() + ".", out);
      String unitValue = unitEnvironment.get(key.env());
      if (unitValue != null) {
        comment("Set by edgeproxy.service; without it the default is "
            + (key.defaultValue().isEmpty() ? "empty" : key.defaultValue()) + ".", out);
      }
      out.append('#').append(key.env()).append('=').append(unitValue != null ? unitValue : key.defaultValue()).append('\n');
    }
    out.append('\n');
    comment("JVM options added after the packaged ones (/usr/lib/edgeproxy/lib/edgeproxy-jvm.sh), e.g. -Xmx2g.", out);
    out.append("#EDGEPROXY_JAVA_OPTS=\n");
    return out.toString();
  }

  /** Appends {@code text} as "# " lines of at most {@link #WIDTH} characters, broken between words. */
  private static void comment(String text, StringBuilder out) {
    StringBuilder line = new StringBuilder("#");
    for (String word : text.split(" ")) {
      if (line.length() > 1 && line.length() + 1 + word.length() > WIDTH) {
        out.append(line).append('\n');
        line.setLength(1);
      }
      line.append(' ').append(word);
    }
    out.append(line).append('\n');
  }
}
