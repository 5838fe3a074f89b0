package io.edgeproxy.discovery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.edgeproxy.core.edge.CachePurge;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code POST /api/v1/apps/{app}/purge}: {@code {}} (everything of the app),
 * {@code {"path": "/..."}}, {@code {"prefix": "/..."}} or {@code {"tag": "..."}}; an empty body is
 * {@code {}}. The value itself is checked where the row is written.
 */
final class PurgeRequest {
  private static final Set<String> FIELDS = Set.of("path", "prefix", "tag");

  private PurgeRequest() {}

  sealed interface Parsed {
    record Valid(CachePurge.Kind kind, String value) implements Parsed {}

    record Invalid(ApiResponse response) implements Parsed {}
  }

  static Parsed parse(byte[] body) {
    if (body.length == 0) {
      return new Parsed.Valid(CachePurge.Kind.ALL, "");
    }
    JsonNode root;
    try {
      root = ApiResponse.JSON.readTree(new String(body, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      return invalid("malformed JSON: " + e.getOriginalMessage() + " (expected: a JSON object)");
    }
    if (root == null || !root.isObject() || root.size() > 1) {
      return invalid("the body must be {}, or a JSON object with one of path, prefix or tag");
    }
    Iterator<String> names = root.fieldNames();
    if (!names.hasNext()) {
      return new Parsed.Valid(CachePurge.Kind.ALL, "");
    }
    String name = names.next();
    JsonNode value = root.get(name);
    if (!FIELDS.contains(name)) {
      return invalid("unknown field " + name + " (expected one of: path, prefix, tag)");
    }
    if (!value.isTextual()) {
      return invalid(name + " must be a string");
    }
    CachePurge.Kind kind = switch (name) {
      case "path" -> CachePurge.Kind.PATH;
      case "prefix" -> CachePurge.Kind.PREFIX;
      default -> CachePurge.Kind.TAG;
    };
    return new Parsed.Valid(kind, value.asText());
  }

  private static Parsed invalid(String message) {
    return new Parsed.Invalid(ApiResponse.invalid(message, List.of()));
  }
}
