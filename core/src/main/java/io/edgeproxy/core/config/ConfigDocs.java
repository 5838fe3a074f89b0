package io.edgeproxy.core.config;

/** Renders the key table as {@code docs/config.md}; a test keeps the file in step with the code. */
public final class ConfigDocs {
  private ConfigDocs() {}

  public static String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("# Configuration\n\n")
        .append("Generated from `ConfigKey` (core); `ConfigDocsTest` fails when this file is out of date.\n")
        .append("Every key is an environment variable (the Rust original's names where it had one) and a flag of\n")
        .append("`edgeproxy agent` / `edgeproxy demo`; flags win over the environment, which wins over the default.\n")
        .append("An invalid value stops start-up with a message naming the key, the value and what is expected.\n\n")
        .append("| Environment | Flag | Default | Expected | Meaning |\n")
        .append("|---|---|---|---|---|\n");
    for (ConfigKey key : ConfigKey.values()) {
      out.append("| `").append(key.env()).append("` | `").append(key.flag()).append("` | ")
          .append(key.defaultValue().isEmpty() ? "(none)" : "`" + key.defaultValue() + "`").append(" | ")
          .append(key.kind().expected().replace("|", "\\|")).append(" | ")
          .append(key.help().replace("|", "\\|")).append(" |\n");
    }
    out.append("\nRouting data is not configuration: backends, per-app settings (`apps`) and region overrides\n")
        .append("(`region_countries`) live in routing.db and apply without a restart.\n");
    return out.toString();
  }
}
