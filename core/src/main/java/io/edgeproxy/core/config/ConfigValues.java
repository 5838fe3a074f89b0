package io.edgeproxy.core.config;

import io.edgeproxy.core.geo.IpAddresses;
import io.edgeproxy.core.geo.IpNetwork;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Raw values for every {@link ConfigKey} (defaults, then environment, then flags) and typed reads
 * of them. A read that fails records a problem naming the key, the value and the expectation and
 * returns a placeholder, so one pass reports every problem.
 */
final class ConfigValues {
  private static final Pattern REGION = Pattern.compile("[a-z0-9-]{1,32}");
  private static final Pattern APP = Pattern.compile("[A-Za-z0-9._-]{1,128}");
  private static final Pattern DNS_ZONE = Pattern.compile("[a-z0-9_-]{1,63}(\\.[a-z0-9_-]{1,63})*");

  private final Map<ConfigKey, String> raw = new EnumMap<>(ConfigKey.class);
  private final Map<ConfigKey, String> source = new EnumMap<>(ConfigKey.class);
  private final List<String> problems = new ArrayList<>();

  ConfigValues(Map<String, String> env, Map<ConfigKey, String> flags) {
    for (ConfigKey key : ConfigKey.values()) {
      if (flags.containsKey(key)) {
        raw.put(key, flags.get(key));
        source.put(key, key.flag());
      } else if (env.containsKey(key.env())) {
        raw.put(key, env.get(key.env()));
        source.put(key, key.env());
      } else {
        raw.put(key, key.defaultValue());
        source.put(key, "default");
      }
    }
  }

  List<String> problems() {
    return problems;
  }

  String raw(ConfigKey key) {
    return raw.get(key);
  }

  /** A problem across keys, found after each parsed: {@code detail} names values and expectation. */
  void crossProblem(ConfigKey key, String detail) {
    problems.add(key.env() + " (" + key.flag() + "): " + detail);
  }

  private void problem(ConfigKey key, String detail) {
    if (key.kind().isSecret()) {
      problemRedacted(key, "the value given " + detail); // never echo a secret
      return;
    }
    problems.add(key.env() + " (" + key.flag() + "): \"" + raw.get(key) + "\" " + detail
        + " (expected: " + key.kind().expected() + ")");
  }

  InetSocketAddress address(ConfigKey key) {
    InetSocketAddress a = parseAddress(raw.get(key));
    if (a == null) {
      problem(key, "is not a valid address");
      return new InetSocketAddress(0);
    }
    return a;
  }

  @Nullable InetSocketAddress optionalAddress(ConfigKey key) {
    return raw.get(key).trim().isEmpty() ? null : address(key);
  }

  List<ListenerConfig> listeners(ConfigKey key) {
    List<ListenerConfig> out = new ArrayList<>();
    String text = raw.get(key).trim();
    if (text.isEmpty()) {
      return out;
    }
    for (String part : text.split(",")) {
      int eq = part.indexOf('=');
      String app = eq < 0 ? "" : part.substring(0, eq).trim();
      InetSocketAddress address = eq < 0 ? null : parseAddress(part.substring(eq + 1));
      if (!APP.matcher(app).matches() || address == null) {
        problem(key, "has a bad entry \"" + part.trim() + "\"");
      } else {
        out.add(new ListenerConfig(app, address));
      }
    }
    return out;
  }

  /**
   * Two listeners on one address would both bind (each I/O thread binds with SO_REUSEPORT) and the
   * kernel would split clients between their apps: refuse it.
   */
  void requireDistinctAddresses(ConfigKey key, List<ListenerConfig> listeners) {
    java.util.Set<InetSocketAddress> seen = new java.util.HashSet<>();
    for (ListenerConfig listener : listeners) {
      if (listener.address().getPort() != 0 && !seen.add(listener.address())) {
        problem(key, "repeats the address " + listener.address().getHostString() + ":" + listener.address().getPort()
            + " (of the default listener or another entry)");
      }
    }
  }

  Path path(ConfigKey key) {
    Path p = optionalPath(key);
    if (p == null) {
      problem(key, "is empty");
      return Path.of(".");
    }
    return p;
  }

  /** True if the key's value is empty (or blank). */
  boolean isEmpty(ConfigKey key) {
    return raw.get(key).trim().isEmpty();
  }

  /** An optional path that must name a readable file when given. */
  @Nullable Path optionalFile(ConfigKey key) {
    Path p = optionalPath(key);
    if (p != null && !java.nio.file.Files.isReadable(p)) {
      problem(key, "is not a readable file");
      return null;
    }
    return p;
  }

  /** An optional path that must name a directory when given. */
  @Nullable Path optionalDirectory(ConfigKey key) {
    Path p = optionalPath(key);
    if (p != null && !java.nio.file.Files.isDirectory(p)) {
      problem(key, "is not a directory");
      return null;
    }
    return p;
  }

  /** An optional DNS name, lower-cased, without a trailing dot; null when empty. */
  @Nullable String optionalDnsName(ConfigKey key) {
    return isEmpty(key) ? null : dnsZone(key);
  }

  /** An optional http(s) URL with a host; null when empty. */
  java.net.@Nullable URI optionalUrl(ConfigKey key) {
    if (isEmpty(key)) {
      return null;
    }
    try {
      java.net.URI uri = new java.net.URI(raw.get(key).trim());
      if (("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null) {
        return uri;
      }
    } catch (java.net.URISyntaxException e) {
      // described below
    }
    problem(key, "is not an http(s) URL");
    return null;
  }

  /** An optional e-mail address; null when empty. */
  @Nullable String optionalEmail(ConfigKey key) {
    if (isEmpty(key)) {
      return null;
    }
    String text = raw.get(key).trim();
    if (!text.matches("[^@\\s]+@[A-Za-z0-9.-]+\\.[A-Za-z0-9-]+")) {
      problem(key, "is not an e-mail address");
      return null;
    }
    return text;
  }

  @Nullable Path optionalPath(ConfigKey key) {
    String text = raw.get(key).trim();
    if (text.isEmpty()) {
      return null;
    }
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      problem(key, "is not a valid path");
      return null;
    }
  }

  String region(ConfigKey key) {
    String text = raw.get(key).trim();
    if (!REGION.matcher(text).matches()) {
      problem(key, "is not a region code");
    }
    return text;
  }

  String appOrAny(ConfigKey key) {
    String text = raw.get(key).trim();
    if (!text.equals("*") && !APP.matcher(text).matches()) {
      problem(key, "is not an app name");
    }
    return text;
  }

  Duration seconds(ConfigKey key, long min) {
    return Duration.ofSeconds(integer(key, min));
  }

  Duration millis(ConfigKey key, long min) {
    return Duration.ofMillis(integer(key, min));
  }

  long integer(ConfigKey key, long min) {
    String text = raw.get(key).trim();
    try {
      long value = Long.parseLong(text);
      if (value < min || value > Integer.MAX_VALUE) {
        problem(key, "is out of range");
        return min;
      }
      return value;
    } catch (NumberFormatException e) {
      problem(key, "is not a whole number");
      return min;
    }
  }

  /** A size in bytes: a whole number, or one with k, m, g or t (powers of 1024). */
  long bytes(ConfigKey key) {
    String text = raw.get(key).trim().toLowerCase(Locale.ROOT);
    int shift = text.isEmpty() ? 0 : switch (text.charAt(text.length() - 1)) {
      case 'k' -> 10;
      case 'm' -> 20;
      case 'g' -> 30;
      case 't' -> 40;
      default -> 0;
    };
    String digits = shift == 0 ? text : text.substring(0, text.length() - 1).trim();
    try {
      long value = Long.parseLong(digits);
      if (value < 1 || value > (Long.MAX_VALUE >> shift)) {
        problem(key, "is out of range");
        return 1;
      }
      return value << shift;
    } catch (NumberFormatException e) {
      problem(key, "is not a size (e.g. 1048576, 512m, 10g)");
      return 1;
    }
  }

  /** An optional directory, made if missing; null when empty. */
  @Nullable Path optionalDataDirectory(ConfigKey key) {
    Path p = optionalPath(key);
    if (p != null && java.nio.file.Files.exists(p) && !java.nio.file.Files.isDirectory(p)) {
      problem(key, "is not a directory");
      return null;
    }
    return p;
  }

  boolean bool(ConfigKey key) {
    String text = raw.get(key).trim().toLowerCase(Locale.ROOT);
    return switch (text) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> {
        // DEBUG keeps the original's rule: set at all (to anything but a false word) means on.
        if (key == ConfigKey.DEBUG) {
          yield true;
        }
        problem(key, "is not a boolean");
        yield false;
      }
    };
  }

  /** A DNS zone name, lower-cased, without a trailing dot. */
  String dnsZone(ConfigKey key) {
    String text = raw.get(key).trim().toLowerCase(Locale.ROOT);
    if (text.endsWith(".")) {
      text = text.substring(0, text.length() - 1);
    }
    if (!DNS_ZONE.matcher(text).matches() || text.length() > 200) {
      problem(key, "is not a DNS name");
    }
    return text;
  }

  EdgeTlsConfig.Provider tlsProvider(ConfigKey key) {
    return choice(key, EdgeTlsConfig.Provider.class, EdgeTlsConfig.Provider.AUTO, "a TLS provider");
  }

  NodeConfig.LogFormat logFormat(ConfigKey key) {
    return choice(key, NodeConfig.LogFormat.class, NodeConfig.LogFormat.TEXT, "a log format");
  }

  ProxyConfig.Transport transport(ConfigKey key) {
    return choice(key, ProxyConfig.Transport.class, ProxyConfig.Transport.AUTO, "a transport");
  }

  /** One of {@code type}'s constants, named without case ({@code io_uring} is IO_URING); a problem and {@code fallback} otherwise. */
  private <E extends Enum<E>> E choice(ConfigKey key, Class<E> type, E fallback, String what) {
    try {
      return Enum.valueOf(type, raw.get(key).trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      problem(key, "is not " + what);
      return fallback;
    }
  }

  /** key=value (source) for every key, for the start-up log; secrets are never shown. */
  List<String> describe() {
    List<String> lines = new ArrayList<>();
    for (ConfigKey key : ConfigKey.values()) {
      String value = key.kind().isSecret() && !raw.get(key).isEmpty() ? "<redacted>" : raw.get(key);
      lines.add(key.env() + "=" + value + " (" + source.get(key) + ")");
    }
    return lines;
  }

  String name(ConfigKey key) {
    String text = raw.get(key).trim();
    if (!APP.matcher(text).matches()) {
      problem(key, "is not a name");
    }
    return text;
  }

  @Nullable String optionalName(ConfigKey key) {
    String text = raw.get(key).trim();
    return text.isEmpty() ? null : name(key);
  }

  @Nullable String optionalHost(ConfigKey key) {
    String text = raw.get(key).trim();
    if (text.isEmpty()) {
      return null;
    }
    if (!text.matches("[A-Za-z0-9.:\\[\\]_-]{1,253}")) {
      problem(key, "is not a host name or IP address");
    }
    return text;
  }

  List<String> peers(ConfigKey key) {
    List<String> out = new ArrayList<>();
    for (String part : raw.get(key).split(",")) {
      String peer = part.trim();
      if (peer.isEmpty()) {
        continue;
      }
      int colon = peer.lastIndexOf(':');
      boolean portOk = colon > 0 && peer.substring(colon + 1).matches("\\d{1,5}")
          && Integer.parseInt(peer.substring(colon + 1)) <= 65535;
      if (!portOk) {
        problem(key, "has a bad entry \"" + peer + "\"");
      } else {
        out.add(peer); // names are resolved when joining, so a peer that is down at start-up is not an error
      }
    }
    return out;
  }

  /** Upstream resolvers: IP literal and port (1-65535) per entry, never a host name (no lookup at start-up). */
  List<InetSocketAddress> ipAddresses(ConfigKey key) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String part : raw.get(key).split(",")) {
      String entry = part.trim();
      if (entry.isEmpty()) {
        continue;
      }
      InetSocketAddress address = parseIpAddress(entry);
      if (address == null || address.getPort() == 0) {
        problem(key, "has a bad entry \"" + entry + "\"");
      } else {
        out.add(address);
      }
    }
    return out;
  }

  /** CIDR networks, e.g. {@code 10.0.0.0/8,fc00::/7}. */
  List<IpNetwork> networks(ConfigKey key) {
    List<IpNetwork> out = new ArrayList<>();
    for (String part : raw.get(key).split(",")) {
      String entry = part.trim();
      if (entry.isEmpty()) {
        continue;
      }
      IpNetwork network = IpNetwork.parse(entry).orElse(null);
      if (network == null) {
        problem(key, "has a bad entry \"" + entry + "\"");
      } else {
        out.add(network);
      }
    }
    return out;
  }

  /** {@code 10.50.0.1/16}: an address with the prefix of its network; null when empty. */
  @Nullable InetAddress interfaceAddress(ConfigKey key) {
    String text = raw.get(key).trim();
    if (text.isEmpty()) {
      return null;
    }
    if (IpNetwork.parse(text).isEmpty()) {
      problem(key, "is not an address with a prefix");
      return null;
    }
    return IpAddresses.parseLiteral(text.substring(0, text.indexOf('/'))).orElseThrow();
  }

  /** The prefix of {@link #interfaceAddress}; only read when that is not null. */
  int interfacePrefix(ConfigKey key) {
    String text = raw.get(key).trim();
    return Integer.parseInt(text.substring(text.indexOf('/') + 1));
  }

  int port(ConfigKey key) {
    String text = raw.get(key).trim();
    try {
      int value = Integer.parseInt(text);
      if (value >= 1 && value <= 65535) {
        return value;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    problem(key, "is not a port");
    return 1;
  }

  String interfaceName(ConfigKey key) {
    String text = raw.get(key).trim();
    if (!text.matches("[A-Za-z0-9_.=+-]{1,15}")) {
      problem(key, "is not an interface name");
    }
    return text;
  }

  @Nullable String optionalSecret(ConfigKey key) {
    String text = raw.get(key).trim();
    if (text.isEmpty()) {
      return null;
    }
    try {
      if (java.util.Base64.getDecoder().decode(text).length < 32) {
        problem(key, "is too short");
      }
    } catch (IllegalArgumentException e) {
      problem(key, "is not base64");
    }
    return text;
  }

  private void problemRedacted(ConfigKey key, String detail) {
    problems.add(key.env() + " (" + key.flag() + "): " + detail + " (expected: " + key.kind().expected() + ")");
  }

  /** Parses ip:port or [v6]:port with an IP literal (never resolved); null when malformed. */
  static @Nullable InetSocketAddress parseIpAddress(String text) {
    String s = text.trim();
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || !s.substring(colon + 1).matches("\\d{1,5}")) {
      return null;
    }
    String host = s.substring(0, colon);
    if (host.indexOf(':') >= 0 && !(host.startsWith("[") && host.endsWith("]"))) {
      return null; // an IPv6 host must be bracketed
    }
    int port = Integer.parseInt(s.substring(colon + 1));
    InetAddress address = IpAddresses.parseLiteral(host).orElse(null);
    return address == null || port > 65535 ? null : new InetSocketAddress(address, port);
  }

  /** Parses host:port or [v6]:port; null when malformed. Host names are resolved (listen addresses). */
  static @Nullable InetSocketAddress parseAddress(String text) {
    InetSocketAddress parsed = io.edgeproxy.core.geo.SocketAddresses.parseUnresolved(text);
    if (parsed == null) {
      return null;
    }
    InetSocketAddress address = new InetSocketAddress(parsed.getHostString(), parsed.getPort());
    return address.isUnresolved() ? null : address;
  }
}
