package io.edgeproxy.core.config;

import java.util.List;

/** Start-up configuration was invalid; {@link #problems()} names every bad key, value and expectation. */
public final class InvalidConfigException extends RuntimeException {
  private final List<String> problems;

  public InvalidConfigException(List<String> problems) {
    super("invalid configuration: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
