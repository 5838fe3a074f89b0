package io.edgeproxy.proxy.health;

import static java.util.Objects.requireNonNull;

/** The outcome of one probe, with the text operators see in logs and the status view. */
sealed interface ProbeResult {
  String text();

  /** The backend answered as the check requires, for example {@code "HTTP 200"}. */
  record Passed(String text) implements ProbeResult {
    public Passed {
      requireNonNull(text, "text");
    }
  }

  /** It did not, and why: {@code "refused"}, {@code "timeout ..."}, {@code "HTTP 503"}, ... */
  record Failed(String text) implements ProbeResult {
    public Failed {
      requireNonNull(text, "text");
    }
  }
}
