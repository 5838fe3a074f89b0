package io.edgeproxy.discovery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One HTTP answer of the API: status, content type and body. JSON unless said otherwise. */
record ApiResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
  static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  static ApiResponse json(int status, Object value) {
    try {
      return new ApiResponse(status, "application/json", (JSON.writeValueAsString(value) + "\n").getBytes(StandardCharsets.UTF_8),
          Map.of());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  /** {@code {"error": message}}. */
  static ApiResponse error(int status, String message) {
    return json(status, Map.of("error", message));
  }

  /** {@code {"error": message, "problems": [{"field": f, "problem": p}, ...]}}: every problem found, not the first. */
  static ApiResponse invalid(String message, List<FieldProblem> problems) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    body.put("problems", problems);
    return json(400, body);
  }

  static ApiResponse text(int status, String contentType, String body) {
    return new ApiResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  ApiResponse withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name, value);
    return new ApiResponse(status, contentType, body, Map.copyOf(more));
  }

  /** One problem with one field of a request. */
  record FieldProblem(String field, String problem) {}
}
