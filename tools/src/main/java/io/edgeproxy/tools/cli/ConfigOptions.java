package io.edgeproxy.tools.cli;

import io.edgeproxy.core.config.ConfigKey;
import java.util.EnumMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Adds one command-line option per {@link ConfigKey} to a picocli command, with the key's help,
 * environment variable and default, and reads back the ones given. The key table stays the one
 * source of flags, help and docs/config.md.
 */
final class ConfigOptions {
  private ConfigOptions() {}

  /** Adds every key's flag to {@code spec}; {@code defaults} overrides the documented default shown in help. */
  static void addTo(CommandSpec spec, Map<ConfigKey, String> defaults) {
    for (ConfigKey key : ConfigKey.values()) {
      String shown = defaults.getOrDefault(key, key.defaultValue());
      OptionSpec.Builder option = OptionSpec.builder(key.flag())
          .description(key.help() + " Env: " + key.env() + ". Default: " + (shown.isEmpty() ? "(none)" : shown) + ".");
      if (key.kind().isFlagWithoutValue()) {
        option.type(boolean.class).arity("0..1");
      } else {
        option.type(String.class).paramLabel("<" + key.kind().name().toLowerCase(java.util.Locale.ROOT) + ">");
      }
      spec.addOption(option.build());
    }
  }

  /** The keys given on the command line, as text for {@code EdgeConfig.load}. */
  static Map<ConfigKey, String> given(ParseResult parsed) {
    Map<ConfigKey, String> flags = new EnumMap<>(ConfigKey.class);
    for (ConfigKey key : ConfigKey.values()) {
      if (parsed.hasMatchedOption(key.flag())) {
        Object value = parsed.matchedOptionValue(key.flag(), (Object) null);
        flags.put(key, String.valueOf(value));
      }
    }
    return flags;
  }
}
