package io.edgeproxy.sql;

/** routing.db cannot be opened, read or written; the message says which file and why. */
public final class RoutingDbException extends RuntimeException {
  public RoutingDbException(String message) {
    super(message);
  }

  public RoutingDbException(String message, Throwable cause) {
    super(message, cause);
  }
}
