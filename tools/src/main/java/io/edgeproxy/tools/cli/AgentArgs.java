package io.edgeproxy.tools.cli;

import io.edgeproxy.core.config.ConfigKey;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code edgeproxy agent}'s options, read without picocli when the command line is plainly valid:
 * every word a known flag ({@code --flag value} or {@code --flag=value}) given once, or
 * {@code --take-over}. Picocli builds its model of a command by reflection, and that took about
 * 130 ms of every agent's start (measured in a fresh JVM, its class-data archive made no
 * difference). Anything else (help, version, an unknown or repeated flag, a missing value, a value
 * starting with a dash, an {@code @file}, a boolean other than {@code true} or {@code false}) is
 * left to picocli, which reads it as before and says what is wrong. So this reads only what picocli
 * would read the same way: {@code AgentArgsTest} holds the two to each other.
 *
 * @param given the keys given, as {@link ConfigOptions#given} returns them
 * @param takeOver whether {@code --take-over} was given
 */
record AgentArgs(Map<ConfigKey, String> given, boolean takeOver) {
  private static final Map<String, ConfigKey> BY_FLAG = byFlag();
  static final String TAKE_OVER = "--take-over";

  /** {@code args}: what follows {@code agent}; empty when picocli should read them. */
  static Optional<AgentArgs> read(List<String> args) {
    Map<ConfigKey, String> given = new EnumMap<>(ConfigKey.class);
    boolean takeOver = false;
    for (int i = 0; i < args.size(); i++) {
      String word = args.get(i);
      if (!word.startsWith("--") || word.equals("--")) {
        return Optional.empty();
      }
      int eq = word.indexOf('=');
      String name = eq < 0 ? word : word.substring(0, eq);
      if (name.equals(TAKE_OVER)) {
        if (eq >= 0 || takeOver) {
          return Optional.empty();
        }
        takeOver = true;
        continue;
      }
      ConfigKey key = BY_FLAG.get(name);
      if (key == null || given.containsKey(key)) {
        return Optional.empty();
      }
      String value;
      if (eq >= 0) {
        value = word.substring(eq + 1);
      } else if (key.kind().isFlagWithoutValue()) {
        value = i + 1 < args.size() && isBoolean(args.get(i + 1)) ? args.get(++i) : "true";
      } else if (i + 1 < args.size()) {
        value = args.get(++i);
      } else {
        return Optional.empty();
      }
      if (key.kind().isFlagWithoutValue() ? !isBoolean(value) : value.startsWith("-") || value.startsWith("@")) {
        return Optional.empty();
      }
      given.put(key, value);
    }
    return Optional.of(new AgentArgs(given, takeOver));
  }

  private static boolean isBoolean(String word) {
    return word.equals("true") || word.equals("false");
  }

  private static Map<String, ConfigKey> byFlag() {
    Map<String, ConfigKey> out = new HashMap<>();
    for (ConfigKey key : ConfigKey.values()) {
      out.put(key.flag(), key);
    }
    return Map.copyOf(out);
  }
}
