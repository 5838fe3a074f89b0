package io.edgeproxy.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The settings of a systemd unit file that a test needs to start the service as systemd would: one
 * {@code Key=value} a line (ours never continue a line), comments and section headers ignored, a
 * repeated key keeping every value.
 */
record UnitFile(List<Map.Entry<String, String>> settings) {

  static UnitFile read(Path file) throws IOException {
    return new UnitFile(Files.readAllLines(file).stream().flatMap(l -> assignment(l).stream()).toList());
  }

  /** This unit with a drop-in's settings after its own (as systemd reads {@code <unit>.d/*.conf}). */
  UnitFile with(Path dropIn) throws IOException {
    List<Map.Entry<String, String>> all = new java.util.ArrayList<>(settings);
    all.addAll(read(dropIn).settings());
    return new UnitFile(all);
  }

  /** Every value of {@code key}, in order. */
  List<String> values(String key) {
    return settings.stream().filter(e -> e.getKey().equals(key)).map(Map.Entry::getValue).toList();
  }

  /** The value of {@code key} (the last one given); fails when the unit has none. */
  String value(String key) {
    List<String> values = values(key);
    if (values.isEmpty()) {
      throw new IllegalStateException("the unit sets no " + key);
    }
    return values.getLast();
  }

  /** The environment the service gets: its {@code Environment=} lines, then its {@code EnvironmentFile=}s. */
  Map<String, String> environment() throws IOException {
    Map<String, String> env = new HashMap<>();
    values("Environment").forEach(v -> assignment(v).ifPresent(e -> env.put(e.getKey(), e.getValue())));
    for (String file : values("EnvironmentFile")) {
      Files.readAllLines(Path.of(file)).forEach(l -> assignment(l).ifPresent(e -> env.put(e.getKey(), e.getValue())));
    }
    return env;
  }

  /** NAME=VALUE (unquoted, as ours are) from one line; empty for blank lines, comments and headers. */
  private static Optional<Map.Entry<String, String>> assignment(String line) {
    String l = line.strip();
    int eq = l.indexOf('=');
    if (eq <= 0 || l.startsWith("#") || l.startsWith(";")) {
      return Optional.empty();
    }
    return Optional.of(Map.entry(l.substring(0, eq), l.substring(eq + 1)));
  }
}
