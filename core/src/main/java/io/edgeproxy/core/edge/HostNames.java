package io.edgeproxy.core.edge;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Host names as the HTTPS edge compares them: lower-case, no trailing dot, letters, digits and
 * hyphens in labels of 1-63 characters (underscores allowed, as DNS names in the wild have them),
 * at most 253 characters. A wildcard is {@code *.} followed by a name of at least two labels; it
 * matches exactly one more label, as a wildcard certificate does.
 */
public final class HostNames {
  private static final Pattern NAME =
      Pattern.compile("(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*");
  /** What the table and the configuration say a valid name is, for error messages. */
  public static final String EXPECTED = "a DNS name (labels of letters, digits, '-' or '_', 1-63 each, joined by '.'),"
      + " or '*.' and a name of at least two labels";

  private HostNames() {}

  /** {@code text} lower-cased and without a trailing dot, if it is a valid name or wildcard. */
  public static Optional<String> normalize(String text) {
    String name = text.trim().toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    if (name.startsWith("*.")) {
      String rest = name.substring(2);
      return NAME.matcher(rest).matches() && rest.contains(".") ? Optional.of(name) : Optional.empty();
    }
    return NAME.matcher(name).matches() ? Optional.of(name) : Optional.empty();
  }

  public static boolean isWildcard(String name) {
    return name.startsWith("*.");
  }

  /** The wildcard that would cover {@code name} ({@code a.example.com} -> {@code *.example.com}); empty for one label. */
  public static Optional<String> wildcardOf(String name) {
    int dot = name.indexOf('.');
    return dot <= 0 || dot == name.length() - 1 ? Optional.empty() : Optional.of("*" + name.substring(dot));
  }
}
