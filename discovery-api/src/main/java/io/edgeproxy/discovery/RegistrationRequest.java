package io.edgeproxy.discovery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeproxy.core.geo.IpAddresses;
import io.edgeproxy.core.geo.RegionMap;
import io.edgeproxy.discovery.ApiResponse.FieldProblem;
import io.edgeproxy.sql.Registration;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /api/v1/register}, parsed and checked in full: every problem is
 * reported at once (unknown fields included), and nothing is written unless there are none.
 * Fields and defaults are the original's: id, app, region, ip, port required; country, weight
 * (2), soft_limit (100), hard_limit (150), metadata optional. Unlike the original, a missing
 * country stays unknown instead of being guessed from the region.
 */
final class RegistrationRequest {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
  private static final Pattern COUNTRY = Pattern.compile("[A-Za-z]{2}");
  private static final Set<String> FIELDS =
      Set.of("id", "app", "region", "country", "ip", "port", "weight", "soft_limit", "hard_limit", "metadata");
  static final int MAX_WEIGHT = 10_000;
  static final int MAX_LIMIT = 10_000_000;
  private static final int MAX_METADATA_ENTRIES = 32;
  private static final int MAX_METADATA_KEY = 64;
  private static final int MAX_METADATA_VALUE = 512;

  private RegistrationRequest() {}

  /** A valid registration, or the 400 answer listing every problem. */
  sealed interface Parsed {
    record Valid(Registration registration) implements Parsed {}

    record Invalid(ApiResponse response) implements Parsed {}
  }

  static Parsed parse(byte[] body, RegionMap regions) {
    JsonNode root;
    try {
      root = ApiResponse.JSON.readTree(new String(body, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      return invalid("malformed JSON: " + e.getOriginalMessage() + " (expected: a JSON object)", List.of());
    }
    if (root == null || !root.isObject()) {
      return invalid("the body must be a JSON object with id, app, region, ip and port", List.of());
    }
    List<FieldProblem> problems = new ArrayList<>();
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        problems.add(new FieldProblem(name, "unknown field (expected one of: id, app, region, ip, port, country, weight,"
            + " soft_limit, hard_limit, metadata)"));
      }
    }
    String id = name(root, "id", "the backend's id", problems);
    String app = name(root, "app", "the app it serves", problems);
    String region = region(root, regions, problems);
    String country = country(root, problems);
    InetAddress ip = ip(root, problems);
    int port = integer(root, "port", null, 1, 65535, problems);
    int weight = integer(root, "weight", 2, 0, MAX_WEIGHT, problems);
    int soft = integer(root, "soft_limit", 100, 0, MAX_LIMIT, problems);
    int hard = integer(root, "hard_limit", 150, 0, MAX_LIMIT, problems);
    if (hard > 0 && soft > hard && problems.stream().noneMatch(p -> p.field().endsWith("_limit"))) {
      problems.add(new FieldProblem("hard_limit", hard + " is below soft_limit " + soft
          + " (expected: hard_limit >= soft_limit, or 0 for no hard limit)"));
    }
    String metadata = metadata(root, problems);
    if (!problems.isEmpty()) {
      return invalid("invalid registration: " + problems.size() + (problems.size() == 1 ? " problem" : " problems"), problems);
    }
    return new Parsed.Valid(new Registration(id, app, region, country, ip, port, weight, soft, hard, metadata));
  }

  private static Parsed invalid(String message, List<FieldProblem> problems) {
    return new Parsed.Invalid(ApiResponse.invalid(message, problems));
  }

  private static @Nullable String name(JsonNode root, String field, String what, List<FieldProblem> problems) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      problems.add(new FieldProblem(field, "missing (expected: " + what + ", 1-128 letters, digits, '.', '_' or '-')"));
      return null;
    }
    if (!node.isTextual() || !NAME.matcher(node.asText()).matches()) {
      problems.add(new FieldProblem(field, show(node) + " (expected: " + what + ", 1-128 letters, digits, '.', '_' or '-')"));
      return null;
    }
    return node.asText();
  }

  private static @Nullable String region(JsonNode root, RegionMap regions, List<FieldProblem> problems) {
    JsonNode node = root.get("region");
    String expected = "one of " + String.join(", ", regions.regions());
    if (node == null || node.isNull()) {
      problems.add(new FieldProblem("region", "missing (expected: " + expected + ")"));
      return null;
    }
    String region = node.isTextual() ? RegionMap.normalizeRegion(node.asText()) : null;
    if (region == null || !regions.isKnownRegion(region)) {
      problems.add(new FieldProblem("region", show(node) + " is not a known region (expected: " + expected + ")"));
      return null;
    }
    return region;
  }

  private static @Nullable String country(JsonNode root, List<FieldProblem> problems) {
    JsonNode node = root.get("country");
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual() || !COUNTRY.matcher(node.asText()).matches()) {
      problems.add(new FieldProblem("country", show(node) + " (expected: a two-letter ISO 3166 code such as \"BR\")"));
      return null;
    }
    return node.asText().toUpperCase(Locale.ROOT);
  }

  private static @Nullable InetAddress ip(JsonNode root, List<FieldProblem> problems) {
    JsonNode node = root.get("ip");
    if (node == null || node.isNull()) {
      problems.add(new FieldProblem("ip", "missing (expected: the backend's IPv4 or IPv6 address)"));
      return null;
    }
    InetAddress ip = node.isTextual() ? IpAddresses.parseLiteral(node.asText().strip()).orElse(null) : null;
    if (ip == null || ip.isAnyLocalAddress() || ip.isMulticastAddress()) {
      problems.add(new FieldProblem("ip", show(node) + " (expected: an IPv4 or IPv6 address, not a host name,"
          + " not 0.0.0.0, ::, or multicast)"));
      return null;
    }
    return ip;
  }

  private static int integer(JsonNode root, String field, @Nullable Integer fallback, int min, int max,
      List<FieldProblem> problems) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      if (fallback == null) {
        problems.add(new FieldProblem(field, "missing (expected: an integer " + min + "-" + max + ")"));
        return 0;
      }
      return fallback;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < min || node.asLong() > max) {
      problems.add(new FieldProblem(field, show(node) + " (expected: an integer " + min + "-" + max + ")"));
      return 0;
    }
    return (int) node.asLong();
  }

  private static String metadata(JsonNode root, List<FieldProblem> problems) {
    JsonNode node = root.get("metadata");
    if (node == null || node.isNull()) {
      return "{}";
    }
    if (!node.isObject()) {
      problems.add(new FieldProblem("metadata", show(node) + " (expected: a JSON object of string values)"));
      return "{}";
    }
    if (node.size() > MAX_METADATA_ENTRIES) {
      problems.add(new FieldProblem("metadata", node.size() + " entries (expected: at most " + MAX_METADATA_ENTRIES + ")"));
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().isEmpty() || e.getKey().length() > MAX_METADATA_KEY) {
        problems.add(new FieldProblem("metadata", "key '" + abbreviate(e.getKey()) + "' (expected: 1-" + MAX_METADATA_KEY
            + " characters)"));
      }
      if (!e.getValue().isTextual() || e.getValue().asText().length() > MAX_METADATA_VALUE) {
        problems.add(new FieldProblem("metadata." + abbreviate(e.getKey()), show(e.getValue()) + " (expected: a string of at most "
            + MAX_METADATA_VALUE + " characters)"));
      }
    }
    return ((ObjectNode) node).toString();
  }

  private static String show(JsonNode node) {
    return abbreviate(node.toString());
  }

  private static String abbreviate(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }
}
